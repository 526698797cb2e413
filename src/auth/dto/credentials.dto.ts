import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength, ValidateBy } from 'class-validator';
import { hasFormatCharacters, normaliseEmail } from '../../users';

/** Refuses invisible and formatting characters (Unicode Cf), which make look-alike addresses. */
const NoFormatCharacters = () =>
  ValidateBy(
    {
      name: 'noFormatCharacters',
      validator: { validate: (value) => typeof value === 'string' && !hasFormatCharacters(value) },
    },
    { message: 'must not contain invisible or formatting characters (Unicode Cf, e.g. U+200B, U+202E)' },
  );

// With stopAtFirstError, class-validator checks the decorators bottom-up: the most basic rule is
// written last, so each message names the rule actually broken.
export class CredentialsDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254, format: 'idn-email', description: 'Stored NFKC-normalised and lower-cased' })
  @Transform(({ value }) => (typeof value === 'string' ? normaliseEmail(value) : value))
  @IsEmail({}, { message: 'must be an email' })
  @NoFormatCharacters()
  @MaxLength(254)
  @IsString()
  @IsNotEmpty()
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128, format: 'password' })
  @Length(8, 128, { message: 'must be 8 to 128 characters long' })
  @IsString()
  @IsNotEmpty()
  password!: string;
}
