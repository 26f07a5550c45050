/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/inspect/inspect.test.ts > TAP > snapshot: all-opcodes.wasm > json 1`] = `
{
  "file": "all-opcodes.wasm",
  "kind": "module",
  "size": 1732,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 10,
      "size": 13,
      "count": 3
    },
    {
      "index": 1,
      "id": 3,
      "name": "Function",
      "offset": 23,
      "contentOffset": 25,
      "size": 3,
      "count": 2
    },
    {
      "index": 2,
      "id": 4,
      "name": "Table",
      "offset": 28,
      "contentOffset": 30,
      "size": 7,
      "count": 2
    },
    {
      "index": 3,
      "id": 5,
      "name": "Memory",
      "offset": 37,
      "contentOffset": 39,
      "size": 6,
      "count": 2
    },
    {
      "index": 4,
      "id": 13,
      "name": "Tag",
      "offset": 45,
      "contentOffset": 47,
      "size": 3,
      "count": 1
    },
    {
      "index": 5,
      "id": 6,
      "name": "Global",
      "offset": 50,
      "contentOffset": 52,
      "size": 11,
      "count": 2
    },
    {
      "index": 6,
      "id": 9,
      "name": "Element",
      "offset": 63,
      "contentOffset": 65,
      "size": 6,
      "count": 1
    },
    {
      "index": 7,
      "id": 12,
      "name": "DataCount",
      "offset": 71,
      "contentOffset": 73,
      "size": 1,
      "count": 1
    },
    {
      "index": 8,
      "id": 10,
      "name": "Code",
      "offset": 74,
      "contentOffset": 77,
      "size": 1647,
      "count": 2
    },
    {
      "index": 9,
      "id": 11,
      "name": "Data",
      "offset": 1724,
      "contentOffset": 1726,
      "size": 6,
      "count": 1
    }
  ],
  "types": 3,
  "imports": [],
  "exports": [],
  "functions": [
    {
      "index": 0,
      "type": "() -> ()",
      "bodyOffset": 79,
      "bodySize": 2
    },
    {
      "index": 1,
      "type": "(i32) -> (i32)",
      "bodyOffset": 83,
      "bodySize": 1641
    }
  ],
  "tables": [
    {
      "index": 0,
      "elemType": "funcref",
      "min": 2
    },
    {
      "index": 1,
      "elemType": "funcref",
      "min": 2
    }
  ],
  "memories": [
    {
      "index": 0,
      "min": 1,
      "shared": true,
      "memory64": false,
      "max": 1
    },
    {
      "index": 1,
      "min": 1,
      "shared": false,
      "memory64": false
    }
  ],
  "globals": [
    {
      "index": 0,
      "type": "i32",
      "mutable": true,
      "init": "i32.const 0",
      "value": 0
    },
    {
      "index": 1,
      "type": "i64",
      "mutable": true,
      "init": "i64.const 0",
      "value": "0"
    }
  ],
  "tags": 1,
  "elementSegments": 1,
  "dataSegments": [
    {
      "index": 0,
      "mode": "passive",
      "size": 3,
      "fileOffset": 1729
    }
  ],
  "symbols": [],
  "segmentInfo": [],
  "initFuncs": [],
  "comdats": [],
  "relocations": [],
  "targetFeatures": [],
  "producers": {},
  "tls": {
    "segments": [],
    "symbols": [],
    "users": []
  },
  "threadAbi": {
    "abi": "single-threaded",
    "reasons": [
      "memory 0 is shared (defined in the module)",
      "but neither imports wasi.thread-spawn nor exports __wasm_init_tls: no thread can be started"
    ],
    "sharedMemory": true
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: all-opcodes.wasm > text 1`] = `
all-opcodes.wasm: wasm module, version 1, 1732 bytes
  functions: 0 imported, 2 defined; types: 3; globals: 2; data segments: 1; tags: 1

sections:
  #  name       offset  size  count
  0  Type       0x8     13    3
  1  Function   0x17    3     2
  2  Table      0x1c    7     2
  3  Memory     0x25    6     2
  4  Tag        0x2d    3     1
  5  Global     0x32    11    2
  6  Element    0x3f    6     1
  7  DataCount  0x47    1     1
  8  Code       0x4a    1647  2
  9  Data       0x6bc   6     1

functions:
  [0]    () -> ()        body 0x4f size 2
  [1]    (i32) -> (i32)  body 0x53 size 1641

tables:
  [0]  funcref  min=2
  [1]  funcref  min=2

memories:
  [0]  min=1  max=1   shared    i32
  [1]  min=1  no max  unshared  i32

globals:
  [0]    mut i32  = i32.const 0
  [1]    mut i64  = i64.const 0

data segments:
  [0]    passive    size 3  file 0x6c1

thread ABI:
  single-threaded
    - memory 0 is shared (defined in the module)
    - but neither imports wasi.thread-spawn nor exports __wasm_init_tls: no thread can be started

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: emscripten-like.wasm > json 1`] = `
{
  "file": "emscripten-like.wasm",
  "kind": "module",
  "size": 198,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 10,
      "size": 24,
      "count": 4
    },
    {
      "index": 1,
      "id": 2,
      "name": "Import",
      "offset": 34,
      "contentOffset": 36,
      "size": 95,
      "count": 3
    },
    {
      "index": 2,
      "id": 3,
      "name": "Function",
      "offset": 131,
      "contentOffset": 133,
      "size": 3,
      "count": 2
    },
    {
      "index": 3,
      "id": 7,
      "name": "Export",
      "offset": 136,
      "contentOffset": 138,
      "size": 49,
      "count": 2
    },
    {
      "index": 4,
      "id": 10,
      "name": "Code",
      "offset": 187,
      "contentOffset": 189,
      "size": 9,
      "count": 2
    }
  ],
  "types": 4,
  "imports": [
    {
      "module": "env",
      "name": "memory",
      "kind": "memory",
      "index": 0,
      "type": "min=256 max=16384 shared"
    },
    {
      "module": "env",
      "name": "_emscripten_notify_task_queue",
      "kind": "func",
      "index": 0,
      "type": "(i32 i32 i32 i32) -> ()"
    },
    {
      "module": "env",
      "name": "emscripten_check_blocking_allowed",
      "kind": "func",
      "index": 1,
      "type": "() -> ()"
    }
  ],
  "exports": [
    {
      "name": "_emscripten_thread_init",
      "kind": "func",
      "index": 2
    },
    {
      "name": "emscripten_tls_init",
      "kind": "func",
      "index": 3
    }
  ],
  "functions": [
    {
      "index": 0,
      "name": "_emscripten_notify_task_queue",
      "type": "(i32 i32 i32 i32) -> ()",
      "import": "env._emscripten_notify_task_queue"
    },
    {
      "index": 1,
      "name": "emscripten_check_blocking_allowed",
      "type": "() -> ()",
      "import": "env.emscripten_check_blocking_allowed"
    },
    {
      "index": 2,
      "name": "_emscripten_thread_init",
      "type": "(i32 i32 i32 i32 i32 i32) -> ()",
      "bodyOffset": 191,
      "bodySize": 2
    },
    {
      "index": 3,
      "name": "emscripten_tls_init",
      "type": "() -> (i32)",
      "bodyOffset": 194,
      "bodySize": 4
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "import": "env.memory",
      "min": 256,
      "shared": true,
      "memory64": false,
      "max": 16384
    }
  ],
  "globals": [],
  "tags": 0,
  "elementSegments": 0,
  "dataSegments": [],
  "symbols": [],
  "segmentInfo": [],
  "initFuncs": [],
  "comdats": [],
  "relocations": [],
  "targetFeatures": [],
  "producers": {},
  "tls": {
    "segments": [],
    "symbols": [],
    "users": []
  },
  "threadAbi": {
    "abi": "emscripten",
    "reasons": [
      "exports _emscripten_thread_init",
      "exports emscripten_tls_init",
      "imports env._emscripten_notify_task_queue",
      "imports env.emscripten_check_blocking_allowed",
      "memory 0 is shared (imported from env.memory)"
    ],
    "sharedMemory": true
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: emscripten-like.wasm > text 1`] = `
emscripten-like.wasm: wasm module, version 1, 198 bytes
  functions: 2 imported, 2 defined; types: 4; globals: 0; data segments: 0; tags: 0

sections:
  #  name      offset  size  count
  0  Type      0x8     24    4
  1  Import    0x22    95    3
  2  Function  0x83    3     2
  3  Export    0x88    49    2
  4  Code      0xbb    9     2

imports:
  memory[0]  env.memory                             min=256 max=16384 shared
  func[0]    env._emscripten_notify_task_queue      (i32 i32 i32 i32) -> ()
  func[1]    env.emscripten_check_blocking_allowed  () -> ()

exports:
  func[2]  _emscripten_thread_init
  func[3]  emscripten_tls_init

functions:
  [0]  _emscripten_notify_task_queue      (i32 i32 i32 i32) -> ()          <- env._emscripten_notify_task_queue
  [1]  emscripten_check_blocking_allowed  () -> ()                         <- env.emscripten_check_blocking_allowed
  [2]  _emscripten_thread_init            (i32 i32 i32 i32 i32 i32) -> ()  body 0xbf size 2
  [3]  emscripten_tls_init                () -> (i32)                      body 0xc2 size 4

memories:
  [0]  min=256  max=16384  shared  i32  <- env.memory

thread ABI:
  emscripten
    - exports _emscripten_thread_init
    - exports emscripten_tls_init
    - imports env._emscripten_notify_task_queue
    - imports env.emscripten_check_blocking_allowed
    - memory 0 is shared (imported from env.memory)

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: single-threaded.wasm > json 1`] = `
{
  "file": "single-threaded.wasm",
  "kind": "module",
  "size": 59,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 10,
      "size": 5,
      "count": 1
    },
    {
      "index": 1,
      "id": 3,
      "name": "Function",
      "offset": 15,
      "contentOffset": 17,
      "size": 2,
      "count": 1
    },
    {
      "index": 2,
      "id": 5,
      "name": "Memory",
      "offset": 19,
      "contentOffset": 21,
      "size": 3,
      "count": 1
    },
    {
      "index": 3,
      "id": 6,
      "name": "Global",
      "offset": 24,
      "contentOffset": 26,
      "size": 7,
      "count": 1
    },
    {
      "index": 4,
      "id": 7,
      "name": "Export",
      "offset": 33,
      "contentOffset": 35,
      "size": 16,
      "count": 2
    },
    {
      "index": 5,
      "id": 10,
      "name": "Code",
      "offset": 51,
      "contentOffset": 53,
      "size": 6,
      "count": 1
    }
  ],
  "types": 1,
  "imports": [],
  "exports": [
    {
      "name": "memory",
      "kind": "memory",
      "index": 0
    },
    {
      "name": "get",
      "kind": "func",
      "index": 0
    }
  ],
  "functions": [
    {
      "index": 0,
      "name": "get",
      "type": "() -> (i32)",
      "bodyOffset": 55,
      "bodySize": 4
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "min": 1,
      "shared": false,
      "memory64": false
    }
  ],
  "globals": [
    {
      "index": 0,
      "type": "i32",
      "mutable": true,
      "init": "i32.const 1024",
      "value": 1024
    }
  ],
  "tags": 0,
  "elementSegments": 0,
  "dataSegments": [],
  "symbols": [],
  "segmentInfo": [],
  "initFuncs": [],
  "comdats": [],
  "relocations": [],
  "targetFeatures": [],
  "producers": {},
  "tls": {
    "segments": [],
    "symbols": [],
    "users": []
  },
  "threadAbi": {
    "abi": "single-threaded",
    "reasons": [
      "memory 0 is not shared (defined in the module)",
      "no thread-spawn import, no thread entry point"
    ],
    "sharedMemory": false
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: single-threaded.wasm > text 1`] = `
single-threaded.wasm: wasm module, version 1, 59 bytes
  functions: 0 imported, 1 defined; types: 1; globals: 1; data segments: 0; tags: 0

sections:
  #  name      offset  size  count
  0  Type      0x8     5     1
  1  Function  0xf     2     1
  2  Memory    0x13    3     1
  3  Global    0x18    7     1
  4  Export    0x21    16    2
  5  Code      0x33    6     1

exports:
  memory[0]  memory
  func[0]    get

functions:
  [0]  get  () -> (i32)  body 0x37 size 4

memories:
  [0]  min=1  no max  unshared  i32

globals:
  [0]    mut i32  = i32.const 1024

thread ABI:
  single-threaded
    - memory 0 is not shared (defined in the module)
    - no thread-spawn import, no thread entry point

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user-mvp.o > json 1`] = `
{
  "file": "tls-user-mvp.o",
  "kind": "object",
  "size": 736,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 14,
      "size": 10,
      "count": 2
    },
    {
      "index": 1,
      "id": 2,
      "name": "Import",
      "offset": 24,
      "contentOffset": 30,
      "size": 24,
      "count": 1
    },
    {
      "index": 2,
      "id": 3,
      "name": "Function",
      "offset": 54,
      "contentOffset": 60,
      "size": 6,
      "count": 5
    },
    {
      "index": 3,
      "id": 12,
      "name": "DataCount",
      "offset": 66,
      "contentOffset": 72,
      "size": 1,
      "count": 4
    },
    {
      "index": 4,
      "id": 10,
      "name": "Code",
      "offset": 73,
      "contentOffset": 79,
      "size": 89,
      "count": 5
    },
    {
      "index": 5,
      "id": 11,
      "name": "Data",
      "offset": 168,
      "contentOffset": 174,
      "size": 55,
      "count": 4
    },
    {
      "index": 6,
      "id": 0,
      "name": "linking",
      "offset": 229,
      "contentOffset": 235,
      "size": 225
    },
    {
      "index": 7,
      "id": 0,
      "name": "reloc.CODE",
      "offset": 460,
      "contentOffset": 466,
      "size": 41
    },
    {
      "index": 8,
      "id": 0,
      "name": "producers",
      "offset": 507,
      "contentOffset": 513,
      "size": 57
    },
    {
      "index": 9,
      "id": 0,
      "name": "target_features",
      "offset": 570,
      "contentOffset": 576,
      "size": 160
    }
  ],
  "types": 2,
  "imports": [
    {
      "module": "env",
      "name": "__linear_memory",
      "kind": "memory",
      "index": 0,
      "type": "min=1"
    }
  ],
  "exports": [],
  "functions": [
    {
      "index": 0,
      "name": "bump",
      "type": "() -> (i32)",
      "bodyOffset": 81,
      "bodySize": 29
    },
    {
      "index": 1,
      "name": "scratch",
      "type": "() -> (i32)",
      "bodyOffset": 111,
      "bodySize": 8
    },
    {
      "index": 2,
      "name": "slot",
      "type": "() -> (i32)",
      "bodyOffset": 120,
      "bodySize": 8
    },
    {
      "index": 3,
      "name": "peek_elsewhere",
      "type": "() -> (i32)",
      "bodyOffset": 129,
      "bodySize": 11
    },
    {
      "index": 4,
      "name": "add_shared",
      "type": "(i32) -> (i32)",
      "bodyOffset": 141,
      "bodySize": 27
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "import": "env.__linear_memory",
      "min": 1,
      "shared": false,
      "memory64": false
    }
  ],
  "globals": [],
  "tags": 0,
  "elementSegments": 0,
  "dataSegments": [
    {
      "index": 0,
      "name": ".data.counter",
      "mode": "active",
      "size": 4,
      "fileOffset": 180,
      "memory": 0,
      "offsetExpr": "i32.const 0",
      "address": 0
    },
    {
      "index": 1,
      "name": ".bss.zeroed",
      "mode": "active",
      "size": 16,
      "fileOffset": 189,
      "memory": 0,
      "offsetExpr": "i32.const 16",
      "address": 16
    },
    {
      "index": 2,
      "name": ".bss.aligned_slot",
      "mode": "active",
      "size": 8,
      "fileOffset": 211,
      "memory": 0,
      "offsetExpr": "i32.const 64",
      "address": 64
    },
    {
      "index": 3,
      "name": ".bss.shared_total",
      "mode": "active",
      "size": 4,
      "fileOffset": 225,
      "memory": 0,
      "offsetExpr": "i32.const 72",
      "address": 72
    }
  ],
  "linkingVersion": 2,
  "symbols": [
    {
      "index": 0,
      "kind": "function",
      "name": "bump",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 0
    },
    {
      "index": 1,
      "kind": "data",
      "name": "counter",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "segment": 0,
      "offset": 0,
      "size": 4
    },
    {
      "index": 2,
      "kind": "function",
      "name": "scratch",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 1
    },
    {
      "index": 3,
      "kind": "data",
      "name": "zeroed",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "segment": 1,
      "offset": 0,
      "size": 16
    },
    {
      "index": 4,
      "kind": "function",
      "name": "slot",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 2
    },
    {
      "index": 5,
      "kind": "data",
      "name": "aligned_slot",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "segment": 2,
      "offset": 0,
      "size": 8
    },
    {
      "index": 6,
      "kind": "function",
      "name": "peek_elsewhere",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 3
    },
    {
      "index": 7,
      "kind": "data",
      "name": "elsewhere",
      "flags": 16,
      "flagNames": [
        "undefined"
      ]
    },
    {
      "index": 8,
      "kind": "function",
      "name": "add_shared",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 4
    },
    {
      "index": 9,
      "kind": "data",
      "name": "shared_total",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "segment": 3,
      "offset": 0,
      "size": 4
    }
  ],
  "segmentInfo": [
    {
      "index": 0,
      "name": ".data.counter",
      "alignment": 4,
      "p2align": 2,
      "flags": 0,
      "flagNames": [],
      "size": 4
    },
    {
      "index": 1,
      "name": ".bss.zeroed",
      "alignment": 16,
      "p2align": 4,
      "flags": 0,
      "flagNames": [],
      "size": 16
    },
    {
      "index": 2,
      "name": ".bss.aligned_slot",
      "alignment": 64,
      "p2align": 6,
      "flags": 0,
      "flagNames": [],
      "size": 8
    },
    {
      "index": 3,
      "name": ".bss.shared_total",
      "alignment": 4,
      "p2align": 2,
      "flags": 0,
      "flagNames": [],
      "size": 4
    }
  ],
  "initFuncs": [],
  "comdats": [],
  "relocations": [
    {
      "name": "reloc.CODE",
      "targetSection": 4,
      "targetName": "Code",
      "entries": [
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 11,
          "fileOffset": 90,
          "index": 1,
          "symbol": "counter",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 23,
          "fileOffset": 102,
          "index": 1,
          "symbol": "counter",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_SLEB",
          "offset": 34,
          "fileOffset": 113,
          "index": 3,
          "symbol": "zeroed",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_SLEB",
          "offset": 43,
          "fileOffset": 122,
          "index": 5,
          "symbol": "aligned_slot",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 55,
          "fileOffset": 134,
          "index": 7,
          "symbol": "elsewhere",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 69,
          "fileOffset": 148,
          "index": 9,
          "symbol": "shared_total",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 81,
          "fileOffset": 160,
          "index": 9,
          "symbol": "shared_total",
          "addend": 0
        }
      ]
    }
  ],
  "targetFeatures": [
    "+bulk-memory",
    "+bulk-memory-opt",
    "+call-indirect-overlong",
    "+multivalue",
    "+mutable-globals",
    "+nontrapping-fptoint",
    "+reference-types",
    "+sign-ext",
    "-shared-mem"
  ],
  "producers": {
    "processed-by": [
      {
        "name": "Debian clang",
        "version": "22.1.8 (1~deb12u1)"
      }
    ]
  },
  "tls": {
    "segments": [],
    "symbols": [],
    "users": []
  },
  "threadAbi": {
    "abi": "link-time",
    "reasons": [
      "relocatable object: the thread ABI is decided when it is linked",
      "target_features has -shared-mem: compiled without 'atomics'/'bulk-memory', LLVM lowered its atomics and TLS away; wasm-ld rejects it with --shared-memory"
    ],
    "sharedMemory": false,
    "object": {
      "atomics": false,
      "bulkMemory": true,
      "disallowsSharedMemory": true,
      "atomicInstructions": 0,
      "usesTls": false,
      "sharedMemory": "incompatible"
    }
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user-mvp.o > text 1`] = `
tls-user-mvp.o: wasm object, version 1, 736 bytes
  functions: 0 imported, 5 defined; types: 2; globals: 0; data segments: 4; tags: 0

sections:
  #  name             offset  size  count
  0  Type             0x8     10    2
  1  Import           0x18    24    1
  2  Function         0x36    6     5
  3  DataCount        0x42    1     4
  4  Code             0x49    89    5
  5  Data             0xa8    55    4
  6  linking          0xe5    225
  7  reloc.CODE       0x1cc   41
  8  producers        0x1fb   57
  9  target_features  0x23a   160

imports:
  memory[0]  env.__linear_memory  min=1

functions:
  [0]  bump            () -> (i32)     body 0x51 size 29
  [1]  scratch         () -> (i32)     body 0x6f size 8
  [2]  slot            () -> (i32)     body 0x78 size 8
  [3]  peek_elsewhere  () -> (i32)     body 0x81 size 11
  [4]  add_shared      (i32) -> (i32)  body 0x8d size 27

memories:
  [0]  min=1  no max  unshared  i32  <- env.__linear_memory

data segments:
  [0]  .data.counter      active  at 0x0   size 4   file 0xb4
  [1]  .bss.zeroed        active  at 0x10  size 16  file 0xbd
  [2]  .bss.aligned_slot  active  at 0x40  size 8   file 0xd3
  [3]  .bss.shared_total  active  at 0x48  size 4   file 0xe1

symbols:
  0:  function  bump            index=0                     [hidden]
  1:  data      counter         segment=0 offset=0 size=4   [hidden]
  2:  function  scratch         index=1                     [hidden]
  3:  data      zeroed          segment=1 offset=0 size=16  [hidden]
  4:  function  slot            index=2                     [hidden]
  5:  data      aligned_slot    segment=2 offset=0 size=8   [hidden]
  6:  function  peek_elsewhere  index=3                     [hidden]
  7:  data      elsewhere                                   [undefined]
  8:  function  add_shared      index=4                     [hidden]
  9:  data      shared_total    segment=3 offset=0 size=4   [hidden]

segment info:
  [0]  .data.counter      align=4   size=4
  [1]  .bss.zeroed        align=16  size=16
  [2]  .bss.aligned_slot  align=64  size=8
  [3]  .bss.shared_total  align=4   size=4

relocations:
  reloc.CODE -> Code (section 4), 7 entries
    R_WASM_MEMORY_ADDR_LEB   offset=0xb   (file 0x5a)  1 <counter>
    R_WASM_MEMORY_ADDR_LEB   offset=0x17  (file 0x66)  1 <counter>
    R_WASM_MEMORY_ADDR_SLEB  offset=0x22  (file 0x71)  3 <zeroed>
    R_WASM_MEMORY_ADDR_SLEB  offset=0x2b  (file 0x7a)  5 <aligned_slot>
    R_WASM_MEMORY_ADDR_LEB   offset=0x37  (file 0x86)  7 <elsewhere>
    R_WASM_MEMORY_ADDR_LEB   offset=0x45  (file 0x94)  9 <shared_total>
    R_WASM_MEMORY_ADDR_LEB   offset=0x51  (file 0xa0)  9 <shared_total>

target features:
  +bulk-memory +bulk-memory-opt +call-indirect-overlong +multivalue +mutable-globals +nontrapping-fptoint +reference-types +sign-ext -shared-mem

producers:
  processed-by  Debian clang 22.1.8 (1~deb12u1)

thread ABI:
  link-time
    - relocatable object: the thread ABI is decided when it is linked
    - target_features has -shared-mem: compiled without 'atomics'/'bulk-memory', LLVM lowered its atomics and TLS away; wasm-ld rejects it with --shared-memory

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user.o > json 1`] = `
{
  "file": "tls-user.o",
  "kind": "object",
  "size": 781,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 14,
      "size": 10,
      "count": 2
    },
    {
      "index": 1,
      "id": 2,
      "name": "Import",
      "offset": 24,
      "contentOffset": 30,
      "size": 42,
      "count": 2
    },
    {
      "index": 2,
      "id": 3,
      "name": "Function",
      "offset": 72,
      "contentOffset": 78,
      "size": 6,
      "count": 5
    },
    {
      "index": 3,
      "id": 12,
      "name": "DataCount",
      "offset": 84,
      "contentOffset": 90,
      "size": 1,
      "count": 4
    },
    {
      "index": 4,
      "id": 10,
      "name": "Code",
      "offset": 91,
      "contentOffset": 97,
      "size": 105,
      "count": 5
    },
    {
      "index": 5,
      "id": 11,
      "name": "Data",
      "offset": 202,
      "contentOffset": 208,
      "size": 55,
      "count": 4
    },
    {
      "index": 6,
      "id": 0,
      "name": "linking",
      "offset": 263,
      "contentOffset": 269,
      "size": 235
    },
    {
      "index": 7,
      "id": 0,
      "name": "reloc.CODE",
      "offset": 504,
      "contentOffset": 510,
      "size": 45
    },
    {
      "index": 8,
      "id": 0,
      "name": "producers",
      "offset": 555,
      "contentOffset": 561,
      "size": 57
    },
    {
      "index": 9,
      "id": 0,
      "name": "target_features",
      "offset": 618,
      "contentOffset": 624,
      "size": 157
    }
  ],
  "types": 2,
  "imports": [
    {
      "module": "env",
      "name": "__linear_memory",
      "kind": "memory",
      "index": 0,
      "type": "min=1"
    },
    {
      "module": "env",
      "name": "__tls_base",
      "kind": "global",
      "index": 0,
      "type": "mut i32"
    }
  ],
  "exports": [],
  "functions": [
    {
      "index": 0,
      "name": "bump",
      "type": "() -> (i32)",
      "bodyOffset": 99,
      "bodySize": 34
    },
    {
      "index": 1,
      "name": "scratch",
      "type": "() -> (i32)",
      "bodyOffset": 134,
      "bodySize": 15
    },
    {
      "index": 2,
      "name": "slot",
      "type": "() -> (i32)",
      "bodyOffset": 150,
      "bodySize": 15
    },
    {
      "index": 3,
      "name": "peek_elsewhere",
      "type": "() -> (i32)",
      "bodyOffset": 166,
      "bodySize": 18
    },
    {
      "index": 4,
      "name": "add_shared",
      "type": "(i32) -> (i32)",
      "bodyOffset": 185,
      "bodySize": 17
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "import": "env.__linear_memory",
      "min": 1,
      "shared": false,
      "memory64": false
    }
  ],
  "globals": [
    {
      "index": 0,
      "name": "__tls_base",
      "import": "env.__tls_base",
      "type": "i32",
      "mutable": true
    }
  ],
  "tags": 0,
  "elementSegments": 0,
  "dataSegments": [
    {
      "index": 0,
      "name": ".tdata.counter",
      "mode": "active",
      "size": 4,
      "fileOffset": 214,
      "memory": 0,
      "offsetExpr": "i32.const 0",
      "address": 0
    },
    {
      "index": 1,
      "name": ".tbss.zeroed",
      "mode": "active",
      "size": 16,
      "fileOffset": 223,
      "memory": 0,
      "offsetExpr": "i32.const 16",
      "address": 16
    },
    {
      "index": 2,
      "name": ".tbss.aligned_slot",
      "mode": "active",
      "size": 8,
      "fileOffset": 245,
      "memory": 0,
      "offsetExpr": "i32.const 64",
      "address": 64
    },
    {
      "index": 3,
      "name": ".bss.shared_total",
      "mode": "active",
      "size": 4,
      "fileOffset": 259,
      "memory": 0,
      "offsetExpr": "i32.const 72",
      "address": 72
    }
  ],
  "linkingVersion": 2,
  "symbols": [
    {
      "index": 0,
      "kind": "function",
      "name": "bump",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 0
    },
    {
      "index": 1,
      "kind": "global",
      "name": "__tls_base",
      "flags": 16,
      "flagNames": [
        "undefined"
      ],
      "elementIndex": 0
    },
    {
      "index": 2,
      "kind": "data",
      "name": "counter",
      "flags": 260,
      "flagNames": [
        "hidden",
        "tls"
      ],
      "segment": 0,
      "offset": 0,
      "size": 4
    },
    {
      "index": 3,
      "kind": "function",
      "name": "scratch",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 1
    },
    {
      "index": 4,
      "kind": "data",
      "name": "zeroed",
      "flags": 260,
      "flagNames": [
        "hidden",
        "tls"
      ],
      "segment": 1,
      "offset": 0,
      "size": 16
    },
    {
      "index": 5,
      "kind": "function",
      "name": "slot",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 2
    },
    {
      "index": 6,
      "kind": "data",
      "name": "aligned_slot",
      "flags": 260,
      "flagNames": [
        "hidden",
        "tls"
      ],
      "segment": 2,
      "offset": 0,
      "size": 8
    },
    {
      "index": 7,
      "kind": "function",
      "name": "peek_elsewhere",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 3
    },
    {
      "index": 8,
      "kind": "data",
      "name": "elsewhere",
      "flags": 272,
      "flagNames": [
        "undefined",
        "tls"
      ]
    },
    {
      "index": 9,
      "kind": "function",
      "name": "add_shared",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "elementIndex": 4
    },
    {
      "index": 10,
      "kind": "data",
      "name": "shared_total",
      "flags": 4,
      "flagNames": [
        "hidden"
      ],
      "segment": 3,
      "offset": 0,
      "size": 4
    }
  ],
  "segmentInfo": [
    {
      "index": 0,
      "name": ".tdata.counter",
      "alignment": 4,
      "p2align": 2,
      "flags": 2,
      "flagNames": [
        "tls"
      ],
      "size": 4
    },
    {
      "index": 1,
      "name": ".tbss.zeroed",
      "alignment": 16,
      "p2align": 4,
      "flags": 2,
      "flagNames": [
        "tls"
      ],
      "size": 16
    },
    {
      "index": 2,
      "name": ".tbss.aligned_slot",
      "alignment": 64,
      "p2align": 6,
      "flags": 2,
      "flagNames": [
        "tls"
      ],
      "size": 8
    },
    {
      "index": 3,
      "name": ".bss.shared_total",
      "alignment": 4,
      "p2align": 2,
      "flags": 0,
      "flagNames": [],
      "size": 4
    }
  ],
  "initFuncs": [],
  "comdats": [],
  "relocations": [
    {
      "name": "reloc.CODE",
      "targetSection": 4,
      "targetName": "Code",
      "entries": [
        {
          "type": "R_WASM_GLOBAL_INDEX_LEB",
          "offset": 6,
          "fileOffset": 103,
          "index": 1,
          "symbol": "__tls_base"
        },
        {
          "type": "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "offset": 12,
          "fileOffset": 109,
          "index": 2,
          "symbol": "counter",
          "addend": 0
        },
        {
          "type": "R_WASM_GLOBAL_INDEX_LEB",
          "offset": 39,
          "fileOffset": 136,
          "index": 1,
          "symbol": "__tls_base"
        },
        {
          "type": "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "offset": 45,
          "fileOffset": 142,
          "index": 4,
          "symbol": "zeroed",
          "addend": 0
        },
        {
          "type": "R_WASM_GLOBAL_INDEX_LEB",
          "offset": 55,
          "fileOffset": 152,
          "index": 1,
          "symbol": "__tls_base"
        },
        {
          "type": "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "offset": 61,
          "fileOffset": 158,
          "index": 6,
          "symbol": "aligned_slot",
          "addend": 0
        },
        {
          "type": "R_WASM_GLOBAL_INDEX_LEB",
          "offset": 71,
          "fileOffset": 168,
          "index": 1,
          "symbol": "__tls_base"
        },
        {
          "type": "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "offset": 77,
          "fileOffset": 174,
          "index": 8,
          "symbol": "elsewhere",
          "addend": 0
        },
        {
          "type": "R_WASM_MEMORY_ADDR_LEB",
          "offset": 96,
          "fileOffset": 193,
          "index": 10,
          "symbol": "shared_total",
          "addend": 0
        }
      ]
    }
  ],
  "targetFeatures": [
    "+atomics",
    "+bulk-memory",
    "+bulk-memory-opt",
    "+call-indirect-overlong",
    "+multivalue",
    "+mutable-globals",
    "+nontrapping-fptoint",
    "+reference-types",
    "+sign-ext"
  ],
  "producers": {
    "processed-by": [
      {
        "name": "Debian clang",
        "version": "22.1.8 (1~deb12u1)"
      }
    ]
  },
  "tls": {
    "segments": [
      {
        "index": 0,
        "name": ".tdata.counter",
        "size": 4,
        "alignment": 4,
        "reason": "flag"
      },
      {
        "index": 1,
        "name": ".tbss.zeroed",
        "size": 16,
        "alignment": 16,
        "reason": "flag"
      },
      {
        "index": 2,
        "name": ".tbss.aligned_slot",
        "size": 8,
        "alignment": 64,
        "reason": "flag"
      }
    ],
    "symbols": [
      "counter",
      "zeroed",
      "aligned_slot",
      "elsewhere"
    ],
    "users": [
      {
        "function": 0,
        "name": "bump",
        "via": [
          "R_WASM_GLOBAL_INDEX_LEB",
          "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "global.get __tls_base"
        ]
      },
      {
        "function": 1,
        "name": "scratch",
        "via": [
          "R_WASM_GLOBAL_INDEX_LEB",
          "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "global.get __tls_base"
        ]
      },
      {
        "function": 2,
        "name": "slot",
        "via": [
          "R_WASM_GLOBAL_INDEX_LEB",
          "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "global.get __tls_base"
        ]
      },
      {
        "function": 3,
        "name": "peek_elsewhere",
        "via": [
          "R_WASM_GLOBAL_INDEX_LEB",
          "R_WASM_MEMORY_ADDR_TLS_SLEB",
          "global.get __tls_base"
        ]
      }
    ],
    "tlsBase": {
      "global": 0,
      "import": "env.__tls_base",
      "mutable": true
    }
  },
  "threadAbi": {
    "abi": "link-time",
    "reasons": [
      "relocatable object: the thread ABI is decided when it is linked",
      "uses +atomics and +bulk-memory: can be linked with --shared-memory",
      "uses thread-local storage",
      "contains 1 atomic instructions"
    ],
    "sharedMemory": false,
    "object": {
      "atomics": true,
      "bulkMemory": true,
      "disallowsSharedMemory": false,
      "atomicInstructions": 1,
      "usesTls": true,
      "sharedMemory": "compatible"
    }
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user.o > text 1`] = `
tls-user.o: wasm object, version 1, 781 bytes
  functions: 0 imported, 5 defined; types: 2; globals: 1; data segments: 4; tags: 0

sections:
  #  name             offset  size  count
  0  Type             0x8     10    2
  1  Import           0x18    42    2
  2  Function         0x48    6     5
  3  DataCount        0x54    1     4
  4  Code             0x5b    105   5
  5  Data             0xca    55    4
  6  linking          0x107   235
  7  reloc.CODE       0x1f8   45
  8  producers        0x22b   57
  9  target_features  0x26a   157

imports:
  memory[0]  env.__linear_memory  min=1
  global[0]  env.__tls_base       mut i32

functions:
  [0]  bump            () -> (i32)     body 0x63 size 34
  [1]  scratch         () -> (i32)     body 0x86 size 15
  [2]  slot            () -> (i32)     body 0x96 size 15
  [3]  peek_elsewhere  () -> (i32)     body 0xa6 size 18
  [4]  add_shared      (i32) -> (i32)  body 0xb9 size 17

memories:
  [0]  min=1  no max  unshared  i32  <- env.__linear_memory

globals:
  [0]  __tls_base  mut i32  <- env.__tls_base

data segments:
  [0]  .tdata.counter      active  at 0x0   size 4   file 0xd6
  [1]  .tbss.zeroed        active  at 0x10  size 16  file 0xdf
  [2]  .tbss.aligned_slot  active  at 0x40  size 8   file 0xf5
  [3]  .bss.shared_total   active  at 0x48  size 4   file 0x103

symbols:
  0:   function  bump            index=0                     [hidden]
  1:   global    __tls_base      index=0                     [undefined]
  2:   data      counter         segment=0 offset=0 size=4   [hidden tls]
  3:   function  scratch         index=1                     [hidden]
  4:   data      zeroed          segment=1 offset=0 size=16  [hidden tls]
  5:   function  slot            index=2                     [hidden]
  6:   data      aligned_slot    segment=2 offset=0 size=8   [hidden tls]
  7:   function  peek_elsewhere  index=3                     [hidden]
  8:   data      elsewhere                                   [undefined tls]
  9:   function  add_shared      index=4                     [hidden]
  10:  data      shared_total    segment=3 offset=0 size=4   [hidden]

segment info:
  [0]  .tdata.counter      align=4   size=4   [tls]
  [1]  .tbss.zeroed        align=16  size=16  [tls]
  [2]  .tbss.aligned_slot  align=64  size=8   [tls]
  [3]  .bss.shared_total   align=4   size=4

relocations:
  reloc.CODE -> Code (section 4), 9 entries
    R_WASM_GLOBAL_INDEX_LEB      offset=0x6   (file 0x67)  1 <__tls_base>
    R_WASM_MEMORY_ADDR_TLS_SLEB  offset=0xc   (file 0x6d)  2 <counter>
    R_WASM_GLOBAL_INDEX_LEB      offset=0x27  (file 0x88)  1 <__tls_base>
    R_WASM_MEMORY_ADDR_TLS_SLEB  offset=0x2d  (file 0x8e)  4 <zeroed>
    R_WASM_GLOBAL_INDEX_LEB      offset=0x37  (file 0x98)  1 <__tls_base>
    R_WASM_MEMORY_ADDR_TLS_SLEB  offset=0x3d  (file 0x9e)  6 <aligned_slot>
    R_WASM_GLOBAL_INDEX_LEB      offset=0x47  (file 0xa8)  1 <__tls_base>
    R_WASM_MEMORY_ADDR_TLS_SLEB  offset=0x4d  (file 0xae)  8 <elsewhere>
    R_WASM_MEMORY_ADDR_LEB       offset=0x60  (file 0xc1)  10 <shared_total>

target features:
  +atomics +bulk-memory +bulk-memory-opt +call-indirect-overlong +multivalue +mutable-globals +nontrapping-fptoint +reference-types +sign-ext

producers:
  processed-by  Debian clang 22.1.8 (1~deb12u1)

TLS:
  segment [0] .tdata.counter size=4 align=4 (TLS by segment flag)
  segment [1] .tbss.zeroed size=16 align=16 (TLS by segment flag)
  segment [2] .tbss.aligned_slot size=8 align=64 (TLS by segment flag)
  __tls_base: global 0 (mutable) <- env.__tls_base
  TLS symbols: counter, zeroed, aligned_slot, elsewhere
  used by:
    [0]  bump            R_WASM_GLOBAL_INDEX_LEB, R_WASM_MEMORY_ADDR_TLS_SLEB, global.get __tls_base
    [1]  scratch         R_WASM_GLOBAL_INDEX_LEB, R_WASM_MEMORY_ADDR_TLS_SLEB, global.get __tls_base
    [2]  slot            R_WASM_GLOBAL_INDEX_LEB, R_WASM_MEMORY_ADDR_TLS_SLEB, global.get __tls_base
    [3]  peek_elsewhere  R_WASM_GLOBAL_INDEX_LEB, R_WASM_MEMORY_ADDR_TLS_SLEB, global.get __tls_base

thread ABI:
  link-time
    - relocatable object: the thread ABI is decided when it is linked
    - uses +atomics and +bulk-memory: can be linked with --shared-memory
    - uses thread-local storage
    - contains 1 atomic instructions

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user.wasm > json 1`] = `
{
  "file": "tls-user.wasm",
  "kind": "module",
  "size": 905,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 10,
      "size": 17,
      "count": 4
    },
    {
      "index": 1,
      "id": 2,
      "name": "Import",
      "offset": 27,
      "contentOffset": 29,
      "size": 16,
      "count": 1
    },
    {
      "index": 2,
      "id": 3,
      "name": "Function",
      "offset": 45,
      "contentOffset": 47,
      "size": 8,
      "count": 7
    },
    {
      "index": 3,
      "id": 6,
      "name": "Global",
      "offset": 55,
      "contentOffset": 57,
      "size": 25,
      "count": 4
    },
    {
      "index": 4,
      "id": 7,
      "name": "Export",
      "offset": 82,
      "contentOffset": 84,
      "size": 113,
      "count": 9
    },
    {
      "index": 5,
      "id": 8,
      "name": "Start",
      "offset": 197,
      "contentOffset": 199,
      "size": 1
    },
    {
      "index": 6,
      "id": 12,
      "name": "DataCount",
      "offset": 200,
      "contentOffset": 202,
      "size": 1,
      "count": 1
    },
    {
      "index": 7,
      "id": 10,
      "name": "Code",
      "offset": 203,
      "contentOffset": 206,
      "size": 218,
      "count": 7
    },
    {
      "index": 8,
      "id": 11,
      "name": "Data",
      "offset": 424,
      "contentOffset": 426,
      "size": 79,
      "count": 1
    },
    {
      "index": 9,
      "id": 0,
      "name": "name",
      "offset": 505,
      "contentOffset": 508,
      "size": 178
    },
    {
      "index": 10,
      "id": 0,
      "name": "producers",
      "offset": 686,
      "contentOffset": 688,
      "size": 57
    },
    {
      "index": 11,
      "id": 0,
      "name": "target_features",
      "offset": 745,
      "contentOffset": 748,
      "size": 157
    }
  ],
  "types": 4,
  "imports": [
    {
      "module": "env",
      "name": "memory",
      "kind": "memory",
      "index": 0,
      "type": "min=2 max=2 shared"
    }
  ],
  "exports": [
    {
      "name": "__tls_base",
      "kind": "global",
      "index": 1
    },
    {
      "name": "__tls_size",
      "kind": "global",
      "index": 2
    },
    {
      "name": "__tls_align",
      "kind": "global",
      "index": 3
    },
    {
      "name": "__wasm_init_tls",
      "kind": "func",
      "index": 0
    },
    {
      "name": "bump",
      "kind": "func",
      "index": 2
    },
    {
      "name": "scratch",
      "kind": "func",
      "index": 3
    },
    {
      "name": "slot",
      "kind": "func",
      "index": 4
    },
    {
      "name": "peek_elsewhere",
      "kind": "func",
      "index": 5
    },
    {
      "name": "add_shared",
      "kind": "func",
      "index": 6
    }
  ],
  "functions": [
    {
      "index": 0,
      "name": "__wasm_init_tls",
      "type": "(i32) -> ()",
      "bodyOffset": 208,
      "bodySize": 17
    },
    {
      "index": 1,
      "name": "__wasm_init_memory",
      "type": "() -> ()",
      "bodyOffset": 226,
      "bodySize": 94
    },
    {
      "index": 2,
      "name": "bump",
      "type": "() -> (i32)",
      "bodyOffset": 321,
      "bodySize": 34
    },
    {
      "index": 3,
      "name": "scratch",
      "type": "() -> (i32)",
      "bodyOffset": 356,
      "bodySize": 15
    },
    {
      "index": 4,
      "name": "slot",
      "type": "() -> (i32)",
      "bodyOffset": 372,
      "bodySize": 15
    },
    {
      "index": 5,
      "name": "peek_elsewhere",
      "type": "() -> (i32)",
      "bodyOffset": 388,
      "bodySize": 18
    },
    {
      "index": 6,
      "name": "add_shared",
      "type": "(i32) -> (i32)",
      "bodyOffset": 407,
      "bodySize": 17
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "import": "env.memory",
      "min": 2,
      "shared": true,
      "memory64": false,
      "max": 2
    }
  ],
  "globals": [
    {
      "index": 0,
      "name": "__stack_pointer",
      "type": "i32",
      "mutable": true,
      "init": "i32.const 65536",
      "value": 65536
    },
    {
      "index": 1,
      "name": "__tls_base",
      "type": "i32",
      "mutable": true,
      "init": "i32.const 0",
      "value": 0
    },
    {
      "index": 2,
      "name": "__tls_size",
      "type": "i32",
      "mutable": false,
      "init": "i32.const 76",
      "value": 76
    },
    {
      "index": 3,
      "name": "__tls_align",
      "type": "i32",
      "mutable": false,
      "init": "i32.const 64",
      "value": 64
    }
  ],
  "tags": 0,
  "start": 1,
  "elementSegments": 0,
  "dataSegments": [
    {
      "index": 0,
      "name": ".tdata",
      "mode": "passive",
      "size": 76,
      "fileOffset": 429
    }
  ],
  "symbols": [],
  "segmentInfo": [],
  "initFuncs": [],
  "comdats": [],
  "relocations": [],
  "targetFeatures": [
    "+atomics",
    "+bulk-memory",
    "+bulk-memory-opt",
    "+call-indirect-overlong",
    "+multivalue",
    "+mutable-globals",
    "+nontrapping-fptoint",
    "+reference-types",
    "+sign-ext"
  ],
  "producers": {
    "processed-by": [
      {
        "name": "Debian clang",
        "version": "22.1.8 (1~deb12u1)"
      }
    ]
  },
  "tls": {
    "segments": [
      {
        "index": 0,
        "name": ".tdata",
        "size": 76,
        "reason": "name"
      }
    ],
    "symbols": [],
    "users": [
      {
        "function": 0,
        "name": "__wasm_init_tls",
        "via": [
          "global.set __tls_base"
        ]
      },
      {
        "function": 1,
        "name": "__wasm_init_memory",
        "via": [
          "global.set __tls_base"
        ]
      },
      {
        "function": 2,
        "name": "bump",
        "via": [
          "global.get __tls_base"
        ]
      },
      {
        "function": 3,
        "name": "scratch",
        "via": [
          "global.get __tls_base"
        ]
      },
      {
        "function": 4,
        "name": "slot",
        "via": [
          "global.get __tls_base"
        ]
      },
      {
        "function": 5,
        "name": "peek_elsewhere",
        "via": [
          "global.get __tls_base"
        ]
      }
    ],
    "tlsSize": 76,
    "tlsAlign": 64,
    "tlsBase": {
      "global": 1,
      "mutable": true,
      "init": "i32.const 0"
    },
    "initTls": {
      "function": 0,
      "exported": true
    }
  },
  "threadAbi": {
    "abi": "host-managed",
    "reasons": [
      "memory 0 is shared (imported from env.memory)",
      "exports __wasm_init_tls, __tls_size, __tls_align",
      "no wasi.thread-spawn import"
    ],
    "sharedMemory": true
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: tls-user.wasm > text 1`] = `
tls-user.wasm: wasm module, version 1, 905 bytes
  functions: 0 imported, 7 defined; types: 4; globals: 4; data segments: 1; tags: 0; start: 1

sections:
  #   name             offset  size  count
  0   Type             0x8     17    4
  1   Import           0x1b    16    1
  2   Function         0x2d    8     7
  3   Global           0x37    25    4
  4   Export           0x52    113   9
  5   Start            0xc5    1
  6   DataCount        0xc8    1     1
  7   Code             0xcb    218   7
  8   Data             0x1a8   79    1
  9   name             0x1f9   178
  10  producers        0x2ae   57
  11  target_features  0x2e9   157

imports:
  memory[0]  env.memory  min=2 max=2 shared

exports:
  global[1]  __tls_base
  global[2]  __tls_size
  global[3]  __tls_align
  func[0]    __wasm_init_tls
  func[2]    bump
  func[3]    scratch
  func[4]    slot
  func[5]    peek_elsewhere
  func[6]    add_shared

functions:
  [0]  __wasm_init_tls     (i32) -> ()     body 0xd0 size 17
  [1]  __wasm_init_memory  () -> ()        body 0xe2 size 94
  [2]  bump                () -> (i32)     body 0x141 size 34
  [3]  scratch             () -> (i32)     body 0x164 size 15
  [4]  slot                () -> (i32)     body 0x174 size 15
  [5]  peek_elsewhere      () -> (i32)     body 0x184 size 18
  [6]  add_shared          (i32) -> (i32)  body 0x197 size 17

memories:
  [0]  min=2  max=2  shared  i32  <- env.memory

globals:
  [0]  __stack_pointer  mut i32  = i32.const 65536
  [1]  __tls_base       mut i32  = i32.const 0
  [2]  __tls_size       i32      = i32.const 76
  [3]  __tls_align      i32      = i32.const 64

data segments:
  [0]  .tdata  passive    size 76  file 0x1ad

target features:
  +atomics +bulk-memory +bulk-memory-opt +call-indirect-overlong +multivalue +mutable-globals +nontrapping-fptoint +reference-types +sign-ext

producers:
  processed-by  Debian clang 22.1.8 (1~deb12u1)

TLS:
  segment [0] .tdata size=76 (TLS by name)
  __tls_size = 76, __tls_align = 64
  __tls_base: global 1 (mutable) = i32.const 0
  __wasm_init_tls: function 0, exported
  used by:
    [0]  __wasm_init_tls     global.set __tls_base
    [1]  __wasm_init_memory  global.set __tls_base
    [2]  bump                global.get __tls_base
    [3]  scratch             global.get __tls_base
    [4]  slot                global.get __tls_base
    [5]  peek_elsewhere      global.get __tls_base

thread ABI:
  host-managed
    - memory 0 is shared (imported from env.memory)
    - exports __wasm_init_tls, __tls_size, __tls_align
    - no wasi.thread-spawn import

`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: wasi-threads.wasm > json 1`] = `
{
  "file": "wasi-threads.wasm",
  "kind": "module",
  "size": 132,
  "version": 1,
  "sections": [
    {
      "index": 0,
      "id": 1,
      "name": "Type",
      "offset": 8,
      "contentOffset": 10,
      "size": 14,
      "count": 3
    },
    {
      "index": 1,
      "id": 2,
      "name": "Import",
      "offset": 24,
      "contentOffset": 26,
      "size": 33,
      "count": 2
    },
    {
      "index": 2,
      "id": 3,
      "name": "Function",
      "offset": 59,
      "contentOffset": 61,
      "size": 3,
      "count": 2
    },
    {
      "index": 3,
      "id": 7,
      "name": "Export",
      "offset": 64,
      "contentOffset": 66,
      "size": 30,
      "count": 2
    },
    {
      "index": 4,
      "id": 10,
      "name": "Code",
      "offset": 96,
      "contentOffset": 98,
      "size": 34,
      "count": 2
    }
  ],
  "types": 3,
  "imports": [
    {
      "module": "foo",
      "name": "bar",
      "kind": "memory",
      "index": 0,
      "type": "min=1 max=1 shared"
    },
    {
      "module": "wasi",
      "name": "thread-spawn",
      "kind": "func",
      "index": 0,
      "type": "(i32) -> (i32)"
    }
  ],
  "exports": [
    {
      "name": "wasi_thread_start",
      "kind": "func",
      "index": 1
    },
    {
      "name": "_start",
      "kind": "func",
      "index": 2
    }
  ],
  "functions": [
    {
      "index": 0,
      "name": "thread-spawn",
      "type": "(i32) -> (i32)",
      "import": "wasi.thread-spawn"
    },
    {
      "index": 1,
      "name": "wasi_thread_start",
      "type": "(i32 i32) -> ()",
      "bodyOffset": 100,
      "bodySize": 10
    },
    {
      "index": 2,
      "name": "_start",
      "type": "() -> ()",
      "bodyOffset": 111,
      "bodySize": 21
    }
  ],
  "tables": [],
  "memories": [
    {
      "index": 0,
      "import": "foo.bar",
      "min": 1,
      "shared": true,
      "memory64": false,
      "max": 1
    }
  ],
  "globals": [],
  "tags": 0,
  "elementSegments": 0,
  "dataSegments": [],
  "symbols": [],
  "segmentInfo": [],
  "initFuncs": [],
  "comdats": [],
  "relocations": [],
  "targetFeatures": [],
  "producers": {},
  "tls": {
    "segments": [],
    "symbols": [],
    "users": []
  },
  "threadAbi": {
    "abi": "wasi-threads",
    "reasons": [
      "imports wasi.thread-spawn",
      "exports wasi_thread_start",
      "memory 0 is shared (imported from foo.bar)"
    ],
    "sharedMemory": true,
    "spawnImport": "wasi"
  }
}
`

exports[`test/inspect/inspect.test.ts > TAP > snapshot: wasi-threads.wasm > text 1`] = `
wasi-threads.wasm: wasm module, version 1, 132 bytes
  functions: 1 imported, 2 defined; types: 3; globals: 0; data segments: 0; tags: 0

sections:
  #  name      offset  size  count
  0  Type      0x8     14    3
  1  Import    0x18    33    2
  2  Function  0x3b    3     2
  3  Export    0x40    30    2
  4  Code      0x60    34    2

imports:
  memory[0]  foo.bar            min=1 max=1 shared
  func[0]    wasi.thread-spawn  (i32) -> (i32)

exports:
  func[1]  wasi_thread_start
  func[2]  _start

functions:
  [0]  thread-spawn       (i32) -> (i32)   <- wasi.thread-spawn
  [1]  wasi_thread_start  (i32 i32) -> ()  body 0x64 size 10
  [2]  _start             () -> ()         body 0x6f size 21

memories:
  [0]  min=1  max=1  shared  i32  <- foo.bar

thread ABI:
  wasi-threads
    - imports wasi.thread-spawn
    - exports wasi_thread_start
    - memory 0 is shared (imported from foo.bar)

`
