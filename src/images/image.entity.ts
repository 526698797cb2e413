import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Metadata of one stored original; its bytes live in the storage under `storageKey`. */
@Entity('images')
export class Image {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId!: string;

  /** The client's original name, sanitised; shown, never used as a path. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey!: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 32 })
  mimeType!: string;

  @Column({ type: 'varchar', length: 8 })
  extension!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  size!: number;

  @Column({ type: 'integer' })
  width!: number;

  @Column({ type: 'integer' })
  height!: number;

  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  /** EXIF orientation (1–8) of the stored pixels; `width`/`height` are as stored. Null: not read yet. */
  @Column({ type: 'smallint', nullable: true })
  orientation!: number | null;

  @Column({ name: 'uploaded_at', type: 'datetime', precision: 3 })
  uploadedAt!: Date;
}
