import { FITS, MAX_DIMENSION, OUTPUT_FORMATS, POSITIONS, RequestedParams } from '../variants/transform-params';

/** Named transforms from TRANSFORM_PRESETS: `thumb=w:200,h:200,fit:cover;card=w:640`. */
export type TransformPresets = Readonly<Record<string, RequestedParams>>;

export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const PRESETS_EXAMPLE = 'thumb=w:200,h:200,fit:cover;card=w:640';

type Parser = (value: string) => RequestedParams[keyof RequestedParams] | undefined;

const side: Parser = (value) => integerIn(value, 1, MAX_DIMENSION);
const PARAMETERS: Record<string, { parse: Parser; expected: string }> = {
  w: { parse: side, expected: `a width from 1 to ${MAX_DIMENSION}` },
  h: { parse: side, expected: `a height from 1 to ${MAX_DIMENSION}` },
  fit: { parse: oneOf(FITS), expected: `one of ${FITS.join(', ')}` },
  format: { parse: oneOf([...OUTPUT_FORMATS, 'auto']), expected: `one of ${[...OUTPUT_FORMATS, 'auto'].join(', ')}` },
  q: { parse: (value) => integerIn(value, 1, 100), expected: 'a quality from 1 to 100' },
  position: { parse: oneOf(POSITIONS), expected: `one of ${POSITIONS.join(', ')}` },
};

/** Parses TRANSFORM_PRESETS; each problem names the preset and the part that is wrong. */
export function parsePresets(raw: string): { presets: TransformPresets; problems: string[] } {
  const presets: Record<string, RequestedParams> = {};
  const problems: string[] = [];
  for (const definition of raw
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)) {
    const eq = definition.indexOf('=');
    const name = eq < 0 ? definition : definition.slice(0, eq).trim();
    if (!PRESET_NAME.test(name)) problems.push(`preset '${name}' needs a name of letters, digits, _ or - (at most 32) before '='`);
    else if (name in presets) problems.push(`preset '${name}' is defined twice`);
    else presets[name] = parsePreset(name, eq < 0 ? '' : definition.slice(eq + 1), problems);
  }
  return { presets, problems };
}

function parsePreset(name: string, body: string, problems: string[]): RequestedParams {
  const params: Record<string, unknown> = {};
  const pairs = body
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!pairs.length) problems.push(`preset '${name}' sets no parameter`);
  for (const pair of pairs) {
    const [key, value = ''] = pair.split(':').map((part) => part.trim());
    const parameter = PARAMETERS[key];
    const parsed = parameter?.parse(value);
    if (!parameter) problems.push(`preset '${name}' has an unknown parameter '${key}' (expected ${Object.keys(PARAMETERS).join(', ')})`);
    else if (parsed === undefined) problems.push(`preset '${name}' has ${key}:${value}; expected ${parameter.expected}`);
    else params[key] = parsed;
  }
  return params as RequestedParams;
}

function integerIn(value: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

function oneOf(allowed: readonly string[]): Parser {
  return (value) => (allowed.includes(value) ? (value as RequestedParams['fit']) : undefined);
}
