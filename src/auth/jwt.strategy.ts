import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config';
import { principalOf } from './access-token-verifier';
import { AuthUser } from './auth-user';
import { AccessTokenPayload } from './token.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once: given a string, jsonwebtoken tries createPublicKey() on it and throws
      // and catches on every request (a third of an authenticated GET's CPU in `npm run bench`).
      secretOrKey: createSecretKey(Buffer.from(cfg.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: cfg.issuer,
      audience: cfg.audience,
      ignoreExpiration: false,
    });
  }

  validate(payload: Partial<AccessTokenPayload>): AuthUser | false {
    return principalOf(payload) ?? false;
  }
}
