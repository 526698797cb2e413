import { parsePresets } from './presets';

describe('parsePresets (TRANSFORM_PRESETS)', () => {
  it('reads named parameter sets', () => {
    expect(parsePresets('thumb=w:200,h:200,fit:cover; card=w:640;hero=w:1600,format:auto,q:70,position:attention')).toEqual({
      presets: {
        thumb: { w: 200, h: 200, fit: 'cover' },
        card: { w: 640 },
        hero: { w: 1600, format: 'auto', q: 70, position: 'attention' },
      },
      problems: [],
    });
    expect(parsePresets('')).toEqual({ presets: {}, problems: [] });
  });

  it.each([
    ['thumb=w:0', "preset 'thumb' has w:0; expected a width from 1 to 4096"],
    ['thumb=w:200,fit:crop', "preset 'thumb' has fit:crop; expected one of cover, contain, inside, outside, fill"],
    ['thumb=size:200', "preset 'thumb' has an unknown parameter 'size'"],
    ['thumb=', "preset 'thumb' sets no parameter"],
    ['thumb=w:1;thumb=w:2', "preset 'thumb' is defined twice"],
    ['bad name=w:1', "preset 'bad name' needs a name"],
    ['w:200', "preset 'w:200' needs a name"],
    ['card=q:101', "preset 'card' has q:101; expected a quality from 1 to 100"],
  ])('%p is refused: %s', (raw, message) => {
    const { problems } = parsePresets(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });
});
