import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ApiData } from '../common/decorators/api-envelope.decorator';
import { ApiProblems } from '../common/decorators/api-problems.decorator';
import { ImageDto } from './dto/image.dto';
import { CONTENT_MIME_TYPES, SUPPORTED_EXTENSIONS, describeList } from './formats';

/** OpenAPI for the image routes, shared by /images and the seed's aliases so they cannot drift. */
const idParam = ApiParam({ name: 'id', format: 'uuid', description: 'Image id' });

export const ApiUploadImage = (summary: string, deprecated = false) =>
  applyDecorators(
    ApiOperation({
      summary,
      deprecated,
      description:
        'One image in the multipart field `file`. Validated for size, type (by its bytes) and integrity. ' +
        "Past `MAX_CONTENT_LENGTH` (`413 FILE_TOO_LARGE`) or the owner's `USER_QUOTA_BYTES` (`413 QUOTA_EXCEEDED`) " +
        'the answer comes at once with `Connection: close`, and the rest of the body is not read. A `Content-Length` ' +
        'over the limit (or what is left of the quota) plus 1040 KiB of multipart overhead (16 KiB of framing and ' +
        '16 text fields of 64 KiB) is refused before the body; `Expect: 100-continue` is answered only once the ' +
        'bearer token and that length pass.',
    }),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      required: true,
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary', description: describeList(SUPPORTED_EXTENSIONS) } },
      },
    }),
    ApiData(ImageDto, {
      status: 201,
      description: 'Stored',
      headers: { Location: { description: 'Relative URL of the new image', schema: { type: 'string' } } },
    }),
    ApiProblems(400, 413, 415, 422, 503),
  );

export const ApiGetImage = (summary: string, deprecated = false) =>
  applyDecorators(ApiOperation({ summary, deprecated }), idParam, ApiData(ImageDto), ApiProblems(400, 404, 503));

export const ApiUpdateImage = () =>
  applyDecorators(
    ApiOperation({
      summary: "Edit an image's filename, alt text or focal point",
      description:
        'JSON merge semantics (RFC 7396; `application/json` or `application/merge-patch+json`): an absent field is left ' +
        'as it is, `null` clears `alt` or `focalPoint` (`filename` cannot be null). The filename is sanitised like an ' +
        "upload's. Changing the focal point drops the image's stored crops (`fit=cover|contain`), computed again on request. " +
        "Owner or admin; another user's image is a `404`. A body of another type is a `415`.",
    }),
    idParam,
    ApiData(ImageDto, { description: 'The image as it is now' }),
    ApiProblems(400, 404, 413, 415, 503),
  );

export const ApiDeleteImage = (summary: string, deprecated = false) =>
  applyDecorators(
    ApiOperation({ summary, deprecated }),
    idParam,
    ApiResponse({ status: 204, description: 'Deleted: the bytes, any variants and the row' }),
    ApiProblems(400, 404, 503),
  );

const CONTENT_TYPES = CONTENT_MIME_TYPES;
const CONTENT_HEADERS = {
  'Content-Security-Policy': {
    description: "Always `default-src 'none'; sandbox`: the bytes, opened as a document, run no script and get no origin",
    schema: { type: 'string', example: "default-src 'none'; sandbox" },
  },
  'X-Content-Type-Options': { description: 'Always `nosniff`', schema: { type: 'string', example: 'nosniff' } },
  'Content-Disposition': { description: '`inline` (or `attachment` with `?download=true`), with the filename', schema: { type: 'string' } },
  ETag: {
    description: 'Strong: the SHA-256 of the bytes served (each variant and each negotiated format has its own)',
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description:
      '`private, max-age=0, must-revalidate` with a bearer token; `public, max-age=<seconds left>` with a signed link, plus `immutable` when the link carries `v` (the checksum prefix of these bytes)',
    schema: { type: 'string' },
  },
  Vary: { description: '`Accept`, only when `format=auto` chose the format', schema: { type: 'string', example: 'Accept' } },
};

export const ApiImageContent = () =>
  applyDecorators(
    ApiOperation({
      summary: "Download an image's bytes, or a resized/converted variant of them",
      description:
        'Streams the stored bytes; supports If-None-Match and single byte ranges. With `w`, `h` or a different `format` ' +
        'it serves a derived variant (EXIF orientation applied, metadata stripped), computed once and stored. ' +
        'Needs a bearer token, or the `expires` and `sig` of a signed link (then `Cache-Control: public`). ' +
        'The output never exceeds the original nor 4096 on a side, and parameters are normalised to the output they give. ' +
        'New variants count against `TRANSFORM_RATE_LIMIT` (429), wait in the image-work queue (503 `SERVICE_BUSY` when full) ' +
        'and are stopped after `DECODE_TIMEOUT` (422 `IMAGE_TOO_COMPLEX`). `format=auto` negotiates AVIF, then WebP, from `Accept` ' +
        '(one stored variant per format, `Vary: Accept`). `preset` applies a TRANSFORM_PRESETS entry (explicit parameters override it; ' +
        'TRANSFORM_PRESETS_ONLY=true refuses them). Animated GIF/WebP stay animated as GIF or WebP (the first `MAX_ANIMATION_FRAMES` frames, ' +
        'loop and delays kept; frames × pixels count against `MAX_DECODE_MEMORY`, else 422 `IMAGE_TOO_COMPLEX`); JPEG, PNG and AVIF take the first frame.',
    }),
    idParam,
    // Either the bearer token or a signed link: the empty requirement makes the token optional.
    ApiSecurity('bearer'),
    ApiSecurity({}),
    ApiProduces(...CONTENT_TYPES),
    ApiResponse({
      status: 200,
      description: 'The bytes',
      headers: CONTENT_HEADERS,
      content: Object.fromEntries(CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
    }),
    ApiResponse({
      status: 206,
      description: 'One byte range of the content (a suffix range longer than the content is all of it, RFC 9110 §14.1.2)',
      headers: { ...CONTENT_HEADERS, 'Content-Range': { description: 'bytes start-end/size', schema: { type: 'string' } } },
    }),
    ApiResponse({
      status: 304,
      description: 'Not modified (If-None-Match matched the ETag)',
      headers: { ETag: CONTENT_HEADERS.ETag, 'Cache-Control': CONTENT_HEADERS['Cache-Control'], Vary: CONTENT_HEADERS.Vary },
    }),
    ApiProblems(400, 401, 403, 404, 416, 422, 429, 503),
  );
