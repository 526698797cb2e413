import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { runChain } from './run-chain';

const req = {} as Request;
const res = {} as Response;

/** A middleware that records its name and passes on what `pass` gives, now or on a later tick. */
function step(name: string, seen: string[], pass: () => unknown = () => undefined, later = false): NestMiddleware {
  return {
    use: (_req: Request, _res: Response, next: NextFunction) => {
      seen.push(name);
      if (later) setImmediate(() => next(pass()));
      else next(pass());
    },
  };
}

describe('runChain', () => {
  it('runs every middleware in order, then calls done once without an error', async () => {
    const seen: string[] = [];
    const done = jest.fn();
    runChain([step('a', seen), step('b', seen, undefined, true), step('c', seen)], req, res, done);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(done).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledWith(undefined);
  });

  it('stops at the first error and hands it to done', () => {
    const seen: string[] = [];
    const failure = new Error('bad body');
    const done = jest.fn();
    runChain([step('a', seen), step('b', seen, () => failure), step('c', seen)], req, res, done);
    expect(seen).toEqual(['a', 'b']);
    expect(done).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledWith(failure);
  });

  it('lets a throw reach the caller, and runs nothing after it', () => {
    const seen: string[] = [];
    const done = jest.fn();
    const throws: NestMiddleware = {
      use: () => {
        throw new Error('boom');
      },
    };
    expect(() => runChain([step('a', seen), throws, step('c', seen)], req, res, done)).toThrow('boom');
    expect(seen).toEqual(['a']);
    expect(done).not.toHaveBeenCalled();
  });

  it('ends the chain with the error an async middleware rejects with', async () => {
    const seen: string[] = [];
    const done = jest.fn();
    const rejects: NestMiddleware = { use: () => Promise.reject(new Error('later')) };
    runChain([step('a', seen), rejects, step('c', seen)], req, res, done);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a']);
    expect(done).toHaveBeenCalledWith(new Error('later'));
  });

  it('calls done at once for an empty chain', () => {
    const done = jest.fn();
    runChain([], req, res, done);
    expect(done).toHaveBeenCalledWith(undefined);
  });
});
