import exifReader from 'exif-reader';

export interface ExifFacts {
  takenAt: Date | null;
  camera: string | null;
}

const NONE: ExifFacts = { takenAt: null, camera: null };

/** When and with what a photo was taken, from sharp's EXIF block; GPS is never read. A broken block gives nulls. */
export function readExifFacts(exif: Buffer | undefined): ExifFacts {
  if (!exif?.length) return NONE;
  try {
    const tags = exifReader(withoutGps(exif));
    return { takenAt: takenAt(tags), camera: cameraOf(textTag(tags, 'Make', 0x010f), textTag(tags, 'Model', 0x0110)) };
  } catch {
    return NONE;
  }
}

const GPS_IFD_POINTER = 0x8825;

/**
 * A copy whose IFD0 no longer points at the GPS block: the location is never even parsed, and a
 * malformed GPS block (tags of the wrong type, seen in phone photos) cannot cost the make and model.
 */
function withoutGps(exif: Buffer): Buffer {
  const copy = Buffer.from(exif);
  const start = copy.toString('latin1', 0, 6) === 'Exif\0\0' ? 6 : 0;
  if (copy.length < start + 8) return copy;
  const little = copy.toString('latin1', start, start + 2) === 'II';
  const u16 = (at: number) => (little ? copy.readUInt16LE(at) : copy.readUInt16BE(at));
  const ifd0 = start + (little ? copy.readUInt32LE(start + 4) : copy.readUInt32BE(start + 4));
  if (ifd0 + 2 > copy.length) return copy;
  for (let i = 0, at = ifd0 + 2; i < u16(ifd0) && at + 12 <= copy.length; i++, at += 12) {
    // An unknown tag number: exif-reader skips it.
    if (u16(at) === GPS_IFD_POINTER) copy.writeUInt16BE(0xffff, at);
  }
  return copy;
}

/** IFD0's tag, else the same tag number in the Exif IFD (where some phones, e.g. HTC's, write make and model). */
function textTag(tags: exifReader.Exif, name: 'Make' | 'Model', tag: number): string {
  const photo = (tags.Photo ?? {}) as Record<string, unknown>;
  return [tags.Image?.[name], photo[name], photo[tag]].map(clean).find(Boolean) ?? '';
}

function takenAt(tags: exifReader.Exif): Date | null {
  const photo = tags.Photo ?? {};
  const original = validDate(photo.DateTimeOriginal);
  const when = original ?? validDate(photo.DateTimeDigitized);
  if (!when) return null;
  const offset = offsetMinutes(original ? photo.OffsetTimeOriginal : photo.OffsetTimeDigitized);
  return new Date(when.getTime() - offset * 60_000);
}

/** exif-reader reads the local wall-clock time as UTC; an EXIF offset (`+02:00`) makes it the real instant. */
function offsetMinutes(value: unknown): number {
  const match = typeof value === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(value.trim()) : null;
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

function validDate(value: unknown): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

/** `Canon` + `Canon PowerShot S40` is `Canon PowerShot S40`, not the make twice. */
export function cameraOf(make: unknown, model: unknown): string | null {
  const m = clean(make);
  const n = clean(model);
  if (!n) return m || null;
  if (!m || n.toLowerCase().startsWith(m.toLowerCase())) return n;
  return `${m} ${n}`;
}

/** EXIF strings are NUL-padded and space-padded; control characters never reach a client. */
function clean(value: unknown): string {
  return typeof value === 'string'
    ? value
        .replace(/\p{Cc}/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 255)
    : '';
}
