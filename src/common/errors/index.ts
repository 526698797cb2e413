export * from './app.exception';
export * from './error-codes';
