import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A derived image (resized and/or converted) of one original; its bytes live under `storageKey`. */
@Entity('image_variants')
@Index('uq_image_variants_image_params', ['imageId', 'paramsKey'], { unique: true })
@Index('idx_image_variants_image_served', ['imageId', 'lastServedAt'])
export class ImageVariant {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'image_id', type: 'varchar', length: 36 })
  imageId!: string;

  /** The canonical transform parameters (`w=100&format=webp`). */
  @Column({ name: 'params_key', type: 'varchar', length: 128 })
  paramsKey!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey!: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 32 })
  mimeType!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  size!: number;

  @Column({ type: 'integer' })
  width!: number;

  @Column({ type: 'integer' })
  height!: number;

  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** Eviction removes the least recently served first; refreshed at most once a minute. */
  @Column({ name: 'last_served_at', type: 'datetime', precision: 3, nullable: true })
  lastServedAt!: Date | null;
}
