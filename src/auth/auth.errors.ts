import { AppError, ErrorCode } from '../common/errors';

export class EmailTakenError extends AppError {
  constructor() {
    super(ErrorCode.EMAIL_TAKEN, 'An account with this e-mail already exists');
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super(ErrorCode.INVALID_CREDENTIALS, 'The e-mail or password is wrong');
  }
}

export class InvalidRefreshTokenError extends AppError {
  constructor(detail = 'The refresh token is invalid, expired or already used') {
    super(ErrorCode.INVALID_REFRESH_TOKEN, detail);
  }
}

export class LoginLockedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many failed logins; try again in ${retryAfterSeconds} seconds`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** No usable bearer token: missing, malformed, forged, or of an account that no longer exists. */
export class UnauthorizedError extends AppError {
  constructor(detail: string, wwwAuthenticate = 'Bearer error="invalid_token"') {
    super(ErrorCode.UNAUTHORIZED, detail, { headers: { 'WWW-Authenticate': wwwAuthenticate } });
  }
}

export class AccessTokenExpiredError extends AppError {
  constructor() {
    super(ErrorCode.TOKEN_EXPIRED, 'The access token has expired; refresh it', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token expired"' },
    });
  }
}
