// Reading the link's inputs (lld InputFiles.cpp createObjectFile + Driver.cpp addFile): each path,
// -l library or in-memory file becomes an object, an archive, a --start-lib object or a stub
// library, by its magic bytes; then `resolveInputs` hands them to the symbol table in command-line
// order. Unreadable and unknown inputs are diagnostics, all reported together after the phase.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AR_MAGIC, isArchive } from '../binary/archive.js';
import { strerror } from './strerror.js';
import { isWasm } from '../binary/read-module.js';
import { WasmthreadsError } from '../diagnostics.js';
import { ArchiveFile, forEachDefinition, lazyObjectRef } from './archive.js';
import type { ArchiveMemberRef } from './archive.js';
import type { LinkContext } from './context.js';
import { openFileSource, type FileSource } from './file-source.js';
import { ObjFile, type ObjReadOptions } from './input-files.js';
import type { CheckedLinkOptions, LinkInput } from './options.js';
import { isStubLibrary, parseStubLibrary } from './stub-library.js';
import type { StubFile } from './stub-library.js';

export interface LoadedInput {
  obj?: ObjFile;
  archive?: ArchiveFile;
  /** An object between --start-lib and --end-lib. */
  lazyObject?: ArchiveMemberRef;
  stub?: StubFile;
  wholeArchive: boolean;
}

function cannotOpen(ctx: LinkContext, path: string, e: unknown): undefined {
  ctx.sink.error({ code: 'missing-input', message: `cannot open ${path}: ${strerror(e)}`, file: path });
  return undefined;
}

function readBytes(ctx: LinkContext, options: CheckedLinkOptions, path: string): Uint8Array | undefined {
  try {
    if (options.readFile) return options.readFile(path);
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // a view: no copy of the file
  } catch (e) {
    return cannotOpen(ctx, path, e);
  }
}

/**
 * Objects drop the custom sections the output will not have as they are read: `.debug_*` under
 * `--strip-debug` (and `--strip-all`), even those named by `--keep-section`, as in wasm-ld.
 */
function objReadOptions(ctx: LinkContext): ObjReadOptions {
  return ctx.config.stripDebug ? { dropped: (name) => name.startsWith('.debug_') } : {};
}

/**
 * An input file, opened once: with `lazyArchive`, an archive is read at offsets (only its headers
 * and the members the link extracts); anything else comes back whole, to be told apart by its
 * magic. An archive's file stays open for its members (ctx.files bounds how many are open and
 * closes them at the end of the link).
 */
function readInputFile(ctx: LinkContext, path: string, lazyArchive: boolean): ArchiveFile | Uint8Array | undefined {
  let source: FileSource;
  try {
    source = openFileSource(path, ctx.files);
  } catch (e) {
    return cannotOpen(ctx, path, e);
  }
  if (lazyArchive && isArchive(source.read(0, AR_MAGIC.length))) {
    const archive = new ArchiveFile(path, source, objReadOptions(ctx));
    source.release();
    return archive;
  }
  const bytes = source.read(0, source.length);
  source.close();
  return bytes;
}

function findLibrary(ctx: LinkContext, options: CheckedLinkOptions, lib: string): string | undefined {
  const names = lib.startsWith(':') ? [lib.slice(1)] : [`lib${lib}.a`];
  for (const dir of options.libraryPaths ?? []) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  ctx.sink.error({ code: 'missing-library', message: `unable to find library -l${lib}`, hint: `add the directory holding lib${lib}.a with -L` });
  return undefined;
}

function loadInput(ctx: LinkContext, options: CheckedLinkOptions, input: LinkInput): LoadedInput | undefined {
  let name: string;
  let bytes: Uint8Array | undefined;
  const wholeArchive = typeof input === 'object' && !!input.wholeArchive;
  const lazy = typeof input === 'object' && 'lazy' in input && !!input.lazy;
  if (typeof input === 'string') name = input;
  else if ('bytes' in input) {
    name = input.name;
    bytes = input.bytes;
  } else if ('library' in input) {
    const found = findLibrary(ctx, options, input.library);
    if (!found) return undefined;
    name = found;
  } else name = input.path;
  if (!bytes) {
    const read = options.readFile ? readBytes(ctx, options, name) : readInputFile(ctx, name, !wholeArchive);
    if (read instanceof ArchiveFile) {
      readImportsFile(ctx, options, name);
      return { archive: read, wholeArchive };
    }
    bytes = read;
  }
  if (!bytes) return undefined;
  if (isArchive(bytes)) {
    readImportsFile(ctx, options, name);
    return { archive: new ArchiveFile(name, bytes, objReadOptions(ctx)), wholeArchive };
  }
  if (isWasm(bytes)) return lazy ? { lazyObject: lazyObjectRef(name, bytes, objReadOptions(ctx)), wholeArchive } : { obj: new ObjFile(name, bytes, undefined, objReadOptions(ctx)), wholeArchive };
  if (isStubLibrary(bytes)) return { stub: parseStubLibrary(name, bytes), wholeArchive };
  if (bytes[0] === 0x42 && bytes[1] === 0x43) ctx.sink.error({ code: 'unsupported-input', message: 'LLVM bitcode (LTO) inputs are not supported; compile without -flto', file: name });
  else ctx.sink.error({ code: 'unknown-input', message: 'unknown file type: not a wasm object or archive', file: name });
  return undefined;
}

/** Adds a symbol list's names (one per line; blank lines and `#` comments skipped) to those allowed undefined. */
function allowUndefinedFrom(ctx: LinkContext, bytes: Uint8Array): void {
  for (const line of new TextDecoder().decode(bytes).split('\n')) if (line.trim() && !line.startsWith('#')) ctx.config.allowUndefinedSymbols.add(line.trim());
}

/** `libX.imports` beside `libX.a` lists symbols allowed to stay undefined (wasi-libc ships one). */
function readImportsFile(ctx: LinkContext, options: CheckedLinkOptions, archivePath: string): void {
  if (!archivePath.endsWith('.a')) return;
  const p = archivePath.slice(0, -2) + '.imports';
  if (!options.readFile && !existsSync(p)) return;
  try {
    allowUndefinedFrom(ctx, options.readFile ? options.readFile(p) : readFileSync(p));
  } catch {
    // No .imports file: nothing extra is allowed.
  }
}

export function readInputs(ctx: LinkContext, options: CheckedLinkOptions): LoadedInput[] {
  for (const f of options.allowUndefinedFiles ?? []) {
    const bytes = readBytes(ctx, options, f);
    if (bytes) allowUndefinedFrom(ctx, bytes);
  }
  if (options.inputs.length === 0) ctx.sink.error({ code: 'usage', message: 'no input files' });
  const loaded: LoadedInput[] = [];
  for (const input of options.inputs) {
    try {
      const l = loadInput(ctx, options, input);
      if (l) loaded.push(l);
    } catch (e) {
      if (e instanceof WasmthreadsError) ctx.sink.diagnostics.push(...e.diagnostics);
      else throw e;
    }
  }
  return loaded;
}

/**
 * Adds the inputs to the symbol table in command-line order: objects at once, archive members and
 * --start-lib objects as lazy definitions (loaded when a reference needs them, by the symbol
 * table's `extract`), every member of a --whole-archive archive at once.
 */
export function resolveInputs(ctx: LinkContext, loaded: LoadedInput[]): void {
  const symtab = ctx.symtab;
  const addLazy = (name: string, kind: number, ref: ArchiveMemberRef): void => symtab.addLazy(name, kind, ref);
  for (const l of loaded) {
    if (l.obj) addObject(ctx, l.obj);
    else if (l.lazyObject) forEachDefinition(l.lazyObject, addLazy);
    else if (l.archive) {
      ctx.archives.push(l.archive);
      for (const m of l.archive.skipped) ctx.sink.warn({ code: 'archive-member', message: `archive member '${m}' is neither Wasm object file nor LLVM bitcode`, file: l.archive.name });
      if (l.wholeArchive) {
        for (const ref of l.archive.members) {
          ref.extracted = true;
          addObject(ctx, ref.obj);
        }
      } else l.archive.forEachLazySymbol(addLazy);
    }
  }
}

/** Resolves an object's symbols, then lists it (post-order, like lld, so table slots match). */
export function addObject(ctx: LinkContext, obj: ObjFile): void {
  if (ctx.config.trace) ctx.message(obj.name);
  ctx.symtab.addFile(obj);
  ctx.objectFiles.push(obj);
}
