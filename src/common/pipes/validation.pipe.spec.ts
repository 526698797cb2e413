import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import * as classValidator from 'class-validator';
import { createValidationPipe } from './validation.pipe';

class OptionalQuery {
  @IsOptional()
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @IsString()
  q?: string = 'default';
}

class RequiredQuery {
  @IsString()
  q!: string;
}

const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype, data: undefined });

describe('the global validation pipe', () => {
  afterEach(() => jest.restoreAllMocks());

  it('validates an empty query once per DTO class whose fields are all optional, and answers the same instance shape after', async () => {
    const pipe = createValidationPipe();
    const validate = jest.spyOn(classValidator, 'validate');
    const first = await pipe.transform({}, query(OptionalQuery));
    const second = await pipe.transform(Object.create(null), query(OptionalQuery));
    expect(validate).toHaveBeenCalledTimes(1);
    expect(first).toBeInstanceOf(OptionalQuery);
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it('still validates every query that is not empty, and every empty one a DTO refuses', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({}, query(OptionalQuery));
    await expect(pipe.transform({ page: '0' }, query(OptionalQuery))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(pipe.transform({ extra: 'x' }, query(OptionalQuery))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({}, query(RequiredQuery))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });
});
