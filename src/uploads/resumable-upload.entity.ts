import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tus upload in progress: who may touch it, what it will be called, and when it is dropped. */
@Entity('resumable_uploads')
@Index('idx_resumable_uploads_expires', ['expiresAt'])
export class ResumableUpload {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId!: string;

  /** The client's name (Upload-Metadata `filename`), already sanitised. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  length!: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;
}
