import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ApiProblems } from '../common/decorators/api-problems.decorator';

type Headers = Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;

const TUS_RESUMABLE: Headers = { 'Tus-Resumable': { description: 'The protocol version: 1.0.0', schema: { type: 'string' } } };
const OFFSET: Headers = { 'Upload-Offset': { description: 'Bytes of the upload stored so far', schema: { type: 'integer' } } };
const EXPIRES: Headers = {
  'Upload-Expires': { description: 'When the unfinished upload is removed (RFC 9110 date; RESUMABLE_UPLOAD_EXPIRY)', schema: { type: 'string' } },
};
const IMAGE_LOCATION: Headers = {
  'Image-Location': { description: 'On the request that stored the last byte: the new image, `/images/{id}`', schema: { type: 'string' } },
};

const requestHeader = (name: string, description: string, required = true) => ApiHeader({ name, description, required });
const TUS_VERSION_HEADER = requestHeader('Tus-Resumable', 'The protocol version the client speaks: `1.0.0`');
const ID = ApiParam({ name: 'id', format: 'uuid', description: 'The upload, from the `Location` of its creation' });
const CHUNK = [
  ApiConsumes('application/offset+octet-stream'),
  ApiBody({ required: false, schema: { type: 'string', format: 'binary' } }),
] as const;

export const ApiTusOptions = () =>
  applyDecorators(
    ApiOperation({ summary: 'The tus capabilities (no token needed)' }),
    ApiResponse({
      status: 204,
      description: 'Capabilities',
      headers: {
        ...TUS_RESUMABLE,
        'Tus-Version': { description: '1.0.0', schema: { type: 'string' } },
        'Tus-Extension': { description: 'creation,creation-with-upload,termination,expiration', schema: { type: 'string' } },
        'Tus-Max-Size': { description: 'MAX_CONTENT_LENGTH in bytes', schema: { type: 'integer' } },
      },
    }),
    ApiProblems(400),
  );

export const ApiTusCreate = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Start a resumable upload (tus creation, creation-with-upload)',
      description:
        'tus 1.0.0. `Upload-Length` over `MAX_CONTENT_LENGTH` (`413 FILE_TOO_LARGE`) or what is left of the ' +
        "owner's quota (`413 QUOTA_EXCEEDED`), or a `filename` whose extension is not accepted (`415`), is refused " +
        'before any byte is stored. A body (`application/offset+octet-stream`) is the first chunk; if it is the ' +
        'whole file, it is validated as in `POST /images` and the answer carries `Image-Location`.',
    }),
    TUS_VERSION_HEADER,
    requestHeader('Upload-Length', 'The size of the whole file in bytes'),
    requestHeader('Upload-Metadata', '`filename <base64>` (comma-separated tus metadata)', false),
    ...CHUNK,
    ApiResponse({
      status: 201,
      description: 'Created',
      headers: {
        ...TUS_RESUMABLE,
        Location: { description: 'The upload: `/uploads/{id}`', schema: { type: 'string' } },
        ...OFFSET,
        ...EXPIRES,
        ...IMAGE_LOCATION,
      },
    }),
    ApiProblems(400, 403, 412, 413, 415, 422, 503),
  );

export const ApiTusHead = () =>
  applyDecorators(
    ApiOperation({ summary: "A resumable upload's offset (tus HEAD)" }),
    TUS_VERSION_HEADER,
    ID,
    ApiResponse({
      status: 200,
      description: 'The upload (no body)',
      headers: {
        ...TUS_RESUMABLE,
        ...OFFSET,
        'Upload-Length': { description: 'The size of the whole file', schema: { type: 'integer' } },
        'Upload-Metadata': { description: 'The metadata sent at creation', schema: { type: 'string' } },
        ...EXPIRES,
        'Cache-Control': { description: 'no-store', schema: { type: 'string' } },
      },
    }),
    ApiProblems(400, 404, 410, 412, 503),
  );

export const ApiTusPatch = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Append a chunk (tus PATCH)',
      description:
        '`Upload-Offset` must equal the stored offset (`409` otherwise). The request that stores the last byte ' +
        'validates the file exactly as `POST /images` does: `204` with `Image-Location`, or that problem ' +
        '(`415`, `422`, `413 QUOTA_EXCEEDED`, `503`), and the upload is gone either way.',
    }),
    TUS_VERSION_HEADER,
    requestHeader('Upload-Offset', 'Where this chunk starts'),
    ID,
    ...CHUNK,
    ApiResponse({ status: 204, description: 'Stored', headers: { ...TUS_RESUMABLE, ...OFFSET, ...EXPIRES, ...IMAGE_LOCATION } }),
    ApiProblems(400, 403, 404, 409, 410, 412, 413, 415, 422, 503),
  );

export const ApiTusDelete = () =>
  applyDecorators(
    ApiOperation({ summary: 'Abandon a resumable upload (tus termination)' }),
    TUS_VERSION_HEADER,
    ID,
    ApiResponse({ status: 204, description: 'Removed, with its bytes', headers: TUS_RESUMABLE }),
    ApiProblems(400, 404, 412, 503),
  );
