import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { StorageDriver, StoredObject } from '../../storage/storage-driver';
import { storageKeys } from '../storage-keys';

export interface ReconcileOptions {
  /** Delete what is found; without it, only report. */
  apply: boolean;
  /** Objects younger than this may belong to an upload still in flight (on any instance). */
  graceMs: number;
}

export interface ReconcileReport {
  /** Stored objects that no row points to. */
  orphans: string[];
  /** Temporary objects (`tmp/`, partial writes) older than the grace period. */
  staleTemporary: string[];
  /** Rows whose bytes are missing. */
  missing: string[];
  /** Folders left empty (local disk: `variants/<id>/` of a deleted image), older than the grace period. */
  emptyFolders: string[];
  /** Objects deleted (empty folders are removed too, but not counted). */
  deleted: number;
  /** Resumable uploads still in progress, and the bytes they hold so far. */
  resumable: { uploads: number; bytes: number; expired: number };
}

/** What the resumable uploads (uploads/) tell the reconciler: their live keys, and their expiry. */
export interface ResumableUploadSource {
  /** Uploads in progress: each one's key (its other objects add an extension: `.json`, `.info`, `.part`) and the bytes received so far. */
  inProgress(): Promise<{ keys: string[]; bytes: number }>;
  /** Expired uploads: how many (`apply`: removed, with their bytes). */
  expired(apply: boolean): Promise<number>;
}

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/** Finds (and with `apply`, removes) bytes without rows and reports rows without bytes. */
@Injectable()
export class StorageReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger(StorageReconciler.name);
  private resumable?: ResumableUploadSource;

  constructor(
    private readonly storage: StorageDriver,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** At start-up: report only, in the background, so it never delays readiness. */
  onApplicationBootstrap(): void {
    void this.reconcile({ apply: false, graceMs: DEFAULT_GRACE_MS })
      .then((report) => {
        const found = report.orphans.length + report.staleTemporary.length + report.missing.length + report.emptyFolders.length;
        if (found) this.logger.warn(`Storage check: ${summary(report)}; run 'npm run storage:reconcile -- --apply' to clean up`);
      })
      .catch((error: unknown) => this.logger.warn(`Storage check skipped: ${String(error)}`));
  }

  /** The uploads module registers its uploads in progress: their objects are neither orphans nor stale. */
  registerResumableUploads(source: ResumableUploadSource): void {
    this.resumable = source;
  }

  async reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
    // Expired uploads first: their objects then count (and go) as stale temporaries.
    const expired = (await this.resumable?.expired(options.apply)) ?? 0;
    const live = (await this.resumable?.inProgress()) ?? { keys: [], bytes: 0 };
    const referenced = await this.referencedKeys();
    const cutoff = this.clock.now().getTime() - options.graceMs;
    const report: ReconcileReport = {
      orphans: [],
      staleTemporary: [],
      missing: [],
      emptyFolders: [],
      deleted: 0,
      resumable: { uploads: live.keys.length, bytes: live.bytes, expired },
    };
    const liveKeys = new Set(live.keys);
    const present = new Set<string>();
    for await (const object of this.storage.list()) {
      present.add(object.key);
      if (liveKeys.has(object.key.replace(/\.[a-z]+$/, ''))) continue;
      if (referenced.has(object.key) || object.modifiedAt.getTime() > cutoff) continue;
      (isTemporary(object) ? report.staleTemporary : report.orphans).push(object.key);
    }
    report.missing = [...referenced].filter((key) => !present.has(key));
    for await (const folder of this.storage.emptyFolders()) {
      // A fresh folder may be about to receive a write (mkdir comes before the file).
      if (folder.modifiedAt.getTime() <= cutoff) report.emptyFolders.push(folder.key);
    }
    if (options.apply) await this.apply(report);
    return report;
  }

  private async apply(report: ReconcileReport): Promise<void> {
    for (const key of [...report.orphans, ...report.staleTemporary]) {
      await this.storage.delete(key);
      report.deleted += 1;
    }
    for (const key of report.emptyFolders) await this.storage.removeEmptyFolder(key);
  }

  private async referencedKeys(): Promise<Set<string>> {
    // Every entity with a storage key (originals, derived variants) holds references to bytes.
    const tables = this.dataSource.entityMetadatas
      .filter((meta) => meta.columns.some((column) => column.databaseName === 'storage_key'))
      .map((meta) => meta.tableName);
    const keys = new Set<string>();
    for (const table of tables) {
      const rows: { storage_key: string }[] = await this.dataSource.query(`SELECT storage_key FROM ${table}`);
      rows.forEach((row) => keys.add(row.storage_key));
    }
    return keys;
  }
}

function isTemporary(object: StoredObject): boolean {
  // `.part`: the local driver's write in progress, abandoned by a crash.
  return storageKeys.isTemporary(object.key) || object.key.endsWith('.part');
}

export function summary(report: ReconcileReport): string {
  return (
    `${report.orphans.length} orphan object(s), ${report.staleTemporary.length} stale temporary object(s), ` +
    `${report.emptyFolders.length} empty folder(s), ${report.missing.length} row(s) with missing bytes, ` +
    `${report.resumable.uploads} resumable upload(s) in progress (${report.resumable.bytes} bytes), ` +
    `${report.resumable.expired} expired`
  );
}
