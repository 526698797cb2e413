import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One new variant a user caused: the rows of the last minute are that user's transform budget. */
@Entity('variant_creations')
@Index('idx_variant_creations_user_created', ['userId', 'createdAt'])
export class VariantCreation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
