import { HttpStatus, Injectable } from '@nestjs/common';
import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import rangeParser from 'range-parser';
import { ByteRange } from '../../storage/storage-driver';
import { RangeNotSatisfiableError } from '../images.errors';
import { StoredContent } from './stored-content';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

/** Sends stored bytes (from memory, or streamed) with validators, conditional requests (304) and single ranges (206/416). */
@Injectable()
export class ContentSender {
  async send(req: Request, res: Response, content: StoredContent): Promise<void> {
    const { checksum, lastModified } = content;
    const etag = `"${checksum}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', httpDate(lastModified));
    res.setHeader('Cache-Control', content.cacheControl);
    if (content.vary) res.setHeader('Vary', content.vary);
    res.setHeader('Accept-Ranges', 'bytes');
    // X-Content-Type-Options: nosniff comes with every response's security headers (SecurityHeadersMiddleware).
    // Defence in depth: stored bytes opened as a document (directly or in a frame) get no script and no origin.
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (isNotModified(req, etag, content.lastModified)) {
      res.status(HttpStatus.NOT_MODIFIED).end();
      return;
    }
    const range = this.rangeOf(req, etag, content);
    const body = await content.open(range);
    // Opening may have recomputed a variant evicted meanwhile: its validators are the ones sent.
    if (content.checksum !== checksum) res.setHeader('ETag', `"${content.checksum}"`);
    if (content.lastModified !== lastModified) res.setHeader('Last-Modified', httpDate(content.lastModified));
    res.setHeader('Content-Type', content.mimeType);
    res.setHeader('Content-Disposition', dispositionOf(content.filename || 'image', content.disposition));
    res.setHeader('Content-Length', range ? range.end - range.start + 1 : content.size);
    if (range) {
      res.status(HttpStatus.PARTIAL_CONTENT);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${content.size}`);
    } else {
      res.status(HttpStatus.OK);
    }
    if (Buffer.isBuffer(body)) {
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (req.method === 'HEAD') {
      body.destroy();
      res.end();
      return;
    }
    await streamTo(body, res);
  }

  private rangeOf(req: Request, etag: string, content: StoredContent): ByteRange | undefined {
    const header = req.headers.range;
    if (!header) return undefined;
    const ifRange = req.headers['if-range'];
    if (ifRange && ifRange !== etag) return undefined;
    const ranges = rangeParser(content.size, clampSuffixRanges(header, content.size), { combine: true });
    if (ranges === -2 || (ranges !== -1 && ranges.type !== 'bytes')) return undefined;
    if (ranges === -1) {
      throw new RangeNotSatisfiableError(header, content.size);
    }
    // Several ranges would need multipart/byteranges; the whole body is a valid answer (RFC 9110 §14.2).
    return ranges.length === 1 ? ranges[0] : undefined;
  }
}

/**
 * Pipes the bytes and resolves when the response is closed: sent, or the client gone (not an error
 * of ours; the file is closed either way). A storage error mid-body cuts the response off. Not
 * stream/promises' pipeline, which builds an AbortController and aborts it (a DOMException, with
 * its stack trace) for every response it finishes: ~2 % of a download's CPU.
 */
function streamTo(stream: Readable, res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (res.closed || res.destroyed) {
      stream.destroy();
      return resolve();
    }
    stream.once('error', () => res.destroy());
    res.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/**
 * RFC 9110 §14.1.2: a suffix range longer than the content means all of it; range-parser
 * calls it unsatisfiable, so `-N` is cut to `-size` first. `-0` stays unsatisfiable.
 */
export function clampSuffixRanges(header: string, size: number): string {
  const eq = header.indexOf('=');
  if (eq < 0) return header;
  const specs = header.slice(eq + 1).split(',');
  const clamped = specs.map((spec) => {
    const suffix = /^\s*-(\d+)\s*$/.exec(spec);
    return suffix && Number(suffix[1]) > size ? `-${size}` : spec;
  });
  return `${header.slice(0, eq + 1)}${clamped.join(',')}`;
}

function isNotModified(req: Request, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    // A client revalidating what it was sent repeats the one tag as it came.
    if (ifNoneMatch === etag) return true;
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === etag);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (!ifModifiedSince) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** Header values computed from a few hundred files' names and dates, which are served over and over. */
const KEPT = 1024;
const dispositions = new Map<string, string>();
const httpDates = new Map<number, string>();

function remembered<K, V>(cache: Map<K, V>, key: K, compute: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    if (cache.size >= KEPT) cache.delete(cache.keys().next().value!);
    cache.set(key, value);
  }
  return value;
}

function dispositionOf(filename: string, type: StoredContent['disposition']): string {
  return remembered(dispositions, `${type}/${filename}`, () => contentDisposition(filename, { type, fallback: asciiFallback(filename) }));
}

/** Last-Modified: Date#toUTCString was ~1.5 % of a 304's CPU. */
function httpDate(date: Date): string {
  return remembered(httpDates, date.getTime(), () => date.toUTCString());
}

/** The library's default fallback is ISO-8859-1; clients without RFC 6266 support get pure ASCII. */
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
}
