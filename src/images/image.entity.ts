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

  /** As displayed (EXIF orientation applied) once `orientation` is known; as stored while it is null. */
  @Column({ type: 'integer' })
  width!: number;

  @Column({ type: 'integer' })
  height!: number;

  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  /** EXIF orientation (1–8) of the stored pixels. Null: not read yet (then `width`/`height` are as stored). */
  @Column({ type: 'smallint', nullable: true })
  orientation!: number | null;

  /** The owner's text for screen readers. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  alt!: string | null;

  @Column({ name: 'focal_x', type: 'double', nullable: true })
  focalX!: number | null;

  @Column({ name: 'focal_y', type: 'double', nullable: true })
  focalY!: number | null;

  /** Base64 ThumbHash; null until computed (older rows: `npm run images:backfill`). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  thumbhash!: string | null;

  @Column({ name: 'dominant_color', type: 'varchar', length: 7, nullable: true })
  dominantColor!: string | null;

  @Column({ name: 'taken_at', type: 'datetime', precision: 3, nullable: true })
  takenAt!: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  camera!: string | null;

  /** Frames of an animated GIF/WebP, 1 for a still image; `animated` is derived from it. */
  @Column({ type: 'integer', nullable: true })
  frames!: number | null;

  @Column({ name: 'uploaded_at', type: 'datetime', precision: 3 })
  uploadedAt!: Date;
}
