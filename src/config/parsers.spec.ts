import { parseBoolean, parseByteSize, parseDatabaseUrl, parseDuration, parsePositiveInt } from './parsers';

describe('parseByteSize', () => {
  it.each([
    ['5MB', 5 * 1024 * 1024],
    ['5mb', 5_242_880],
    ['512KB', 512 * 1024],
    ['1048576', 1_048_576],
    ['1GB', 1024 ** 3],
    ['1.5MB', 1_572_864],
    ['100B', 100],
    [' 2 MB ', 2_097_152],
  ])('%s → %d bytes (binary units)', (raw, bytes) => {
    expect(parseByteSize(raw)).toBe(bytes);
  });

  it.each(['5MBt', 'MB', '', '5 TB', '-5MB', '0', '0KB', 'five', '5M', '1e6', '5MB5'])('rejects %p', (raw) => {
    expect(parseByteSize(raw)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604_800],
    ['2H', 7200],
  ])('%s → %d seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  it.each(['', '15x', 'm', '-1', '0', '0m', '1.5h', '15 minutes', '1h30m'])('rejects %p', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });
});

describe('parsePositiveInt and parseBoolean', () => {
  it('accepts positive whole numbers only', () => {
    expect(parsePositiveInt('5')).toBe(5);
    for (const raw of ['0', '-1', '1.5', 'x', '', '9007199254740993']) expect(parsePositiveInt(raw)).toBeUndefined();
  });

  it('reads the usual spellings of true and false', () => {
    for (const raw of ['1', 'true', 'YES', 'on']) expect(parseBoolean(raw)).toBe(true);
    for (const raw of ['0', 'false', 'No', 'off']) expect(parseBoolean(raw)).toBe(false);
    expect(parseBoolean('maybe')).toBeUndefined();
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/images.db', './data/images.db'],
    ['sqlite:///./test.db', './test.db'],
    ['sqlite:////var/lib/images.db', '/var/lib/images.db'],
    ['sqlite:/tmp/abs.db', '/tmp/abs.db'],
    ['sqlite::memory:', ':memory:'],
  ])('%s → sqlite file %s', (raw, database) => {
    expect(parseDatabaseUrl(raw)).toEqual({ type: 'sqlite', database });
  });

  it('reads mysql:// with credentials, host, port and database', () => {
    expect(parseDatabaseUrl('mysql://user:pass@db.example.com:3307/images')).toEqual({
      type: 'mysql',
      host: 'db.example.com',
      port: 3307,
      username: 'user',
      password: 'pass',
      database: 'images',
    });
  });

  it("reads the seed's mysql+pymysql:// form the same way", () => {
    expect(parseDatabaseUrl('mysql+pymysql://user:pass@127.0.0.1:3306/images')).toEqual(
      parseDatabaseUrl('mysql://user:pass@127.0.0.1:3306/images'),
    );
  });

  it('defaults the port to 3306 and the user to root, and decodes escaped characters', () => {
    expect(parseDatabaseUrl('mysql://127.0.0.1/images')).toEqual({
      type: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      username: 'root',
      password: '',
      database: 'images',
    });
    expect(parseDatabaseUrl('mysql://us%40er:p%3Ass%2Fword@h/db')).toMatchObject({ username: 'us@er', password: 'p:ss/word' });
  });

  it.each([
    '',
    'postgres://u@h/db',
    'mysql://host',
    'mysql://host/',
    'mysql:///db',
    'sqlite:',
    'sqlite://host/x.db',
    'images.db',
    'mysql://h/a/b',
  ])('rejects %p', (raw) => {
    expect(parseDatabaseUrl(raw)).toBeUndefined();
  });
});
