import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { authConfig } from './config/auth.config';
import { DuplicateEmailError, UsersService } from '../users';
import { PasswordHasher } from './password-hasher';

/** Creates (or promotes) the ADMIN_EMAIL account at start-up; running it again changes nothing. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.cfg.admin;
    if (!admin) return;
    const existing = await this.users.findByEmail(admin.email);
    if (existing?.role === 'admin' && (await this.hasher.verify(existing.passwordHash, admin.password))) return;
    const hash = await this.hasher.hash(admin.password);
    if (existing) {
      await this.users.setRoleAndPassword(existing, 'admin', hash);
      this.logger.log(`Promoted ${admin.email} to admin`);
      return;
    }
    try {
      await this.users.create(admin.email, hash, 'admin');
      this.logger.log(`Created admin ${admin.email}`);
    } catch (error) {
      // Another instance created it at the same moment.
      if (!(error instanceof DuplicateEmailError)) throw error;
    }
  }
}
