import { IMAGE_FORMATS, UPLOAD_FORMATS } from '../images/formats';
import { ConfigValidationError, parseEnv } from './env.validation';

const allowed = (value: string) => parseEnv({ ALLOWED_FILE_EXTENSIONS: value }).allowedExtensions;

/** ALLOWED_FILE_EXTENSIONS is checked against the format registry and nothing else. */
describe('ALLOWED_FILE_EXTENSIONS follows the format registry', () => {
  it('the default allows every alias of every uploadable format, and only those', () => {
    expect([...parseEnv({}).allowedExtensions].sort()).toEqual(UPLOAD_FORMATS.flatMap((f) => f.aliases).sort());
  });

  it.each(UPLOAD_FORMATS.flatMap((f) => f.aliases.map((alias) => [alias, f.name, [...f.aliases]] as const)))(
    '%s alone is accepted and brings every alias of %s',
    (alias, _name, aliases) => {
      expect([...allowed(alias)].sort()).toEqual([...aliases].sort());
      expect([...allowed(`.${alias.toUpperCase()}`)].sort()).toEqual([...aliases].sort());
    },
  );

  it('jpg implies jpeg and jpeg implies jpg, keeping the listed order first', () => {
    expect(allowed('jpg')).toEqual(['jpg', 'jpeg']);
    expect(allowed('jpeg')).toEqual(['jpeg', 'jpg']);
    expect(allowed('png,jpg')).toEqual(['png', 'jpg', 'jpeg']);
  });

  const notUploadable = IMAGE_FORMATS.filter((f) => !f.uploadable).flatMap((f) => f.aliases);
  it.each([...notUploadable, 'svg', 'tiff', 'bmp', 'heic', 'exe', 'php', 'jpg;png', '*'])('%s is refused, naming the variable', (ext) => {
    expect(() => allowed(`png,${ext}`)).toThrow(ConfigValidationError);
    expect(() => allowed(`png,${ext}`)).toThrow(/ALLOWED_FILE_EXTENSIONS/);
  });

  it('an empty list is refused', () => {
    expect(() => allowed(',')).toThrow(/ALLOWED_FILE_EXTENSIONS/);
  });
});
