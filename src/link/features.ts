// Target-feature checks and the output `target_features` section (lld Writer.cpp
// populateTargetFeatures), with diagnostics that name the object forcing a
// conflict and say how to fix it.

import type { TargetFeature } from '../binary/types.js';
import type { LinkContext } from './context.js';
import type { ObjFile } from './input-files.js';
import { rebuildWithAtomics, whyLinked } from './hints.js';

const THREAD_FEATURES = ['atomics', 'bulk-memory'];

/** What the objects use and disallow, gathered once the live segments are known. */
export interface FeatureUse {
  used: Map<string, ObjFile>;
  disallowed: Map<string, ObjFile>;
  /** The first object with live thread-local data. */
  tlsUser?: ObjFile;
}

/**
 * The output's allowed features (`ctx.allowedFeatures`, which the memory layout needs), and what
 * `checkFeatures` checks later: wasm-ld reports feature conflicts after its memory layout and
 * export checks, and the link goes on to report undefined symbols with them.
 */
export function collectFeatures(ctx: LinkContext): FeatureUse {
  const c = ctx.config;
  const used = new Map<string, ObjFile>();
  const disallowed = new Map<string, ObjFile>();
  let tlsUser: ObjFile | undefined;
  // Objects that list the same features share the list (interned as read): each list once, as
  // only its first object is recorded for a feature. Indexed loops: for-of allocates per step in
  // code V8 has not optimised.
  const seen = new Set<readonly TargetFeature[]>();
  const files = ctx.objectFiles;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (!seen.has(f.features)) {
      seen.add(f.features);
      for (const feat of f.features) {
        const map = feat.prefix === '-' ? disallowed : used;
        if (!map.has(feat.name)) map.set(feat.name, f);
      }
    }
    const segments = f.segments;
    for (let k = 0; !tlsUser && k < segments.length; k++) if (segments[k].live && segments[k].isTLS) tlsUser = f;
  }
  const allowed = new Set<string>(c.features ?? [...used.keys()]);
  for (const e of c.extraFeatures) allowed.add(e);
  ctx.allowedFeatures = allowed;
  return { used, disallowed, tlsUser };
}

export function checkFeatures(ctx: LinkContext, { used, disallowed, tlsUser }: FeatureUse): void {
  const c = ctx.config;
  const allowed = ctx.allowedFeatures;
  if (!c.checkFeatures) return;
  const err = (message: string, file?: ObjFile, hint?: string, notes?: string[]): void =>
    ctx.sink.error({ code: 'feature-conflict', message, file: file?.name, hint, notes });

  if (c.sharedMemory) {
    const offender = disallowed.get('shared-mem');
    if (offender) {
      const others = ctx.objectFiles.filter((f) => f !== offender && f.disallowsSharedMem()).map((f) => f.name);
      const why = whyLinked(ctx, offender);
      err(`--shared-memory is disallowed by ${lldName(offender)} because it was not compiled with 'atomics' or 'bulk-memory' features.`, undefined, `${rebuildWithAtomics(offender)}; or link without --shared-memory`, [
        `${offender.name}${offender.archiveName ? ` (member of ${offender.archiveName})` : ''} has target_features -shared-mem: its atomics and _Thread_local variables were lowered to plain memory accesses`,
        ...(why ? [why] : []),
        ...(others.length ? [`also compiled without atomics: ${others.slice(0, 5).join(', ')}${others.length > 5 ? `, and ${others.length - 5} more` : ''}`] : []),
      ]);
    }
    for (const f of THREAD_FEATURES) if (!allowed.has(f)) err(`'${f}' feature must be used in order to use shared memory`, undefined, 'compile the objects with -matomics -mbulk-memory (or -pthread)');
  }
  if (tlsUser) {
    for (const f of THREAD_FEATURES) if (!allowed.has(f)) err(`'${f}' feature must be used in order to use thread-local storage`, tlsUser, 'compile the objects with -matomics -mbulk-memory (or -pthread)');
  }
  if (c.features) {
    for (const [name, f] of used) if (!allowed.has(name)) err(`Target feature '${name}' used by ${lldName(f)} is not allowed.`);
  }
  for (const f of ctx.objectFiles) {
    for (const feat of f.features) {
      if (feat.prefix !== '+') continue;
      const by = disallowed.get(feat.name);
      if (by) err(`Target feature '${feat.name}' used in ${lldName(f)} is disallowed by ${lldName(by)}. Use --no-check-features to suppress.`);
    }
  }
}

/**
 * A file as wasm-ld names it in its feature errors (its InputFile::getName): an archive member by
 * its own name, `errno.o`, not `libc.a(errno.o)`. The notes under the error name the archive.
 */
function lldName(f: ObjFile): string {
  const prefix = f.archiveName === undefined ? undefined : `${f.archiveName}(`;
  return prefix !== undefined && f.name.startsWith(prefix) && f.name.endsWith(')') ? f.name.slice(prefix.length, -1) : f.name;
}

const MUTABLE_GLOBALS_HINT = "compile the objects with -mmutable-globals (clang's default for wasm32), or add mutable-globals to --features=";

/**
 * lld checkImportExportTargetFeatures: without `mutable-globals` in the allowed
 * set, a mutable global may be neither imported nor exported (engines before that proposal
 * reject them). Runs once imports and exports are known; names are symbol names, as wasm-ld's.
 */
export function checkImportExportFeatures(ctx: LinkContext, imported: { name: string; mutable: boolean }[], exported: { name: string; mutable: boolean }[]): void {
  if (!ctx.config.checkFeatures || ctx.allowedFeatures.has('mutable-globals')) return;
  for (const [verb, list] of [['imported', imported], ['exported', exported]] as const) {
    for (const g of list) {
      if (!g.mutable) continue;
      ctx.sink.error({ code: 'feature-conflict', message: `mutable global ${verb} but 'mutable-globals' feature not present in inputs: \`${g.name}\`. Use --no-check-features to suppress.`, symbol: g.name, hint: MUTABLE_GLOBALS_HINT });
    }
  }
}

/** The output's feature list: every allowed feature, sorted by name. */
export function outputFeatures(ctx: LinkContext): string[] {
  return [...ctx.allowedFeatures].sort();
}
