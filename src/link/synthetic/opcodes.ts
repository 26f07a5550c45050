// The handful of opcodes the linker's synthesised functions use (core spec §5.4; threads and
// bulk-memory proposals), named once.

export const Op = {
  unreachable: 0x00,
  block: 0x02,
  br: 0x0c,
  brTable: 0x0e,
  end: 0x0b,
  call: 0x10,
  drop: 0x1a,
  localGet: 0x20,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Add: 0x6a,
  /** Empty block type. */
  void: 0x40,
  /** 0xFC prefix: bulk memory. */
  bulkPrefix: 0xfc,
  memoryInit: 0x08,
  dataDrop: 0x09,
  memoryFill: 0x0b,
  /** 0xFE prefix: atomics. */
  atomicPrefix: 0xfe,
  memoryAtomicNotify: 0x00,
  memoryAtomicWait32: 0x01,
  i32AtomicStore: 0x17,
  i32AtomicRmwCmpxchg: 0x48,
} as const;

/** log2 alignment of an i32 access, as the memarg of the init-memory flag operations. */
export const I32_ALIGN_LOG2 = 2;
