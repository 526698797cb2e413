import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE_KEY = 'rawResponse';

/** The handler's result is sent as is, outside the `{ data }` envelope (a fixed external shape). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE_KEY, true);
