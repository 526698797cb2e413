import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A failed login, kept for the lockout window; in the database so every instance counts alike. */
@Entity('login_failures')
export class LoginFailure {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 64 })
  ip!: string;

  @Column({ name: 'failed_at', type: 'datetime', precision: 3 })
  failedAt!: Date;
}
