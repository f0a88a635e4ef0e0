;; The dump's hot loop in WebAssembly: turns one text-protocol row packet into one line of the
;; LOAD DATA text format (the one row-encoder.ts's RowEncoder writes, byte for byte). Bytes that need escaping are found 16 at a time with SIMD compares, and
;; the clean runs between them are copied a vector at a time.
;;
;; Memory: bytes 0-255 hold the escape table, bytes 256-271 what the last call leaves for the
;; caller (read from memory: a global's value is slow to read from JavaScript); the caller owns
;; everything from 4096 on and passes addresses. Assemble with `npm run build:wasm` (writes
;; row-encoder-wasm.ts).
(module
  (memory (export "memory") 1)

  ;; For each byte, 0 when it is written as it is, else the letter that follows the backslash.
  (data (i32.const 0) "0")      ;; NUL -> \0
  (data (i32.const 9) "tn")     ;; TAB -> \t, LF -> \n
  (data (i32.const 13) "r")     ;; CR  -> \r
  (data (i32.const 92) "\\")    ;; \   -> \\

  ;; Escapes [s, e) to d; returns the new d. Each step loads 16 bytes, stores them all at d, and
  ;; keeps those before the first byte that needs escaping (all 16 when there is none), then writes
  ;; that byte's escape. So clean text moves 16 bytes a step and binary data one escape a step.
  ;; Reads up to 15 bytes past e and writes up to 15 past the returned d: the caller leaves room.
  (func $escape (param $s i32) (param $e i32) (param $d i32) (result i32)
    (local $v v128)
    (local $m i32)
    (local $k i32)
    (local $rem i32)
    (block $done
      (loop $step
        (local.set $rem (i32.sub (local.get $e) (local.get $s)))
        (br_if $done (i32.eqz (local.get $rem)))
        (local.set $v (v128.load align=1 (local.get $s)))
        (v128.store align=1 (local.get $d) (local.get $v))
        (local.set $m
          (i8x16.bitmask
            (v128.or
              (v128.or
                (i8x16.eq (local.get $v) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))
                (i8x16.eq (local.get $v) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                  (i8x16.eq (local.get $v) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))
                (i8x16.eq (local.get $v) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92))))))
        ;; Bytes past e are not part of the field.
        (if (i32.lt_u (local.get $rem) (i32.const 16))
          (then
            (local.set $m (i32.and (local.get $m)
              (i32.sub (i32.shl (i32.const 1) (local.get $rem)) (i32.const 1))))))
        (if (i32.eqz (local.get $m))
          (then
            (if (i32.lt_u (local.get $rem) (i32.const 16))
              (then (return (i32.add (local.get $d) (local.get $rem)))))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $step)))
        (local.set $k (i32.ctz (local.get $m)))
        (local.set $s (i32.add (local.get $s) (local.get $k)))
        (local.set $d (i32.add (local.get $d) (local.get $k)))
        (i32.store8 (local.get $d) (i32.const 92))
        (i32.store8 offset=1 (local.get $d) (i32.load8_u (i32.load8_u (local.get $s))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $step)))
    (local.get $d))

  ;; Encodes the row payload [p, end) to d: fields by TAB, the line ended by LF, NULL as \N.
  ;; Returns the new d, or -1 for an unknown length prefix, -2 for a field running past the end.
  ;; May read up to 15 bytes past `end` and write up to 15 past the returned d (the caller leaves room).
  (func $encodeRow (export "encodeRow") (param $p i32) (param $end i32) (param $d i32) (result i32)
    (local $lead i32)
    (local $len i32)
    (local $fe i32)
    (local $n i32)
    (block $finished
      (loop $field
        (br_if $finished (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $lead (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (block $length
          (if (i32.lt_u (local.get $lead) (i32.const 0xfb))
            (then
              (local.set $len (local.get $lead))
              (br $length)))
          (if (i32.eq (local.get $lead) (i32.const 0xfb))
            (then
              ;; NULL: backslash, N, then the separator.
              (i32.store8 (local.get $d) (i32.const 92))
              (i32.store8 offset=1 (local.get $d) (i32.const 78))
              (i32.store8 offset=2 (local.get $d)
                (select (i32.const 10) (i32.const 9) (i32.ge_u (local.get $p) (local.get $end))))
              (local.set $d (i32.add (local.get $d) (i32.const 3)))
              (br $field)))
          (if (i32.eq (local.get $lead) (i32.const 0xfc))
            (then
              (local.set $len (i32.load16_u align=1 (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (br $length)))
          (if (i32.eq (local.get $lead) (i32.const 0xfd))
            (then
              (local.set $len (i32.and (i32.load align=1 (local.get $p)) (i32.const 0xffffff)))
              (local.set $p (i32.add (local.get $p) (i32.const 3)))
              (br $length)))
          (if (i32.eq (local.get $lead) (i32.const 0xfe))
            (then
              ;; 8 bytes; a length of 2^31 or more cannot lie inside this memory.
              (if (i32.or (i32.load offset=4 align=1 (local.get $p))
                          (i32.shr_u (i32.load align=1 (local.get $p)) (i32.const 31)))
                (then (return (i32.const -2))))
              (local.set $len (i32.load align=1 (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 8)))
              (br $length)))
          (return (i32.const -1)))
        (local.set $fe (i32.add (local.get $p) (local.get $len)))
        (if (i32.gt_u (local.get $fe) (local.get $end))
          (then (return (i32.const -2))))
        (local.set $d (call $escape (local.get $p) (local.get $fe) (local.get $d)))
        (local.set $p (local.get $fe))
        (i32.store8 (local.get $d)
          (select (i32.const 10) (i32.const 9) (i32.ge_u (local.get $p) (local.get $end))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $field)))
    (i32.store (i32.const 256) (local.get $n))
    (local.get $d))

  ;; Encodes whole packets of one socket chunk, [p, end), to d, one line per row packet, and stops
  ;; at the first packet that is not an ordinary row: the end of the rows (0xFE, an EOF or OK
  ;; packet), an error (0xFF), an empty packet, or a packet of the maximum length (a row of 16 MB or
  ;; more, which continues in the next packet). It also stops before a row that might not fit below
  ;; `cap` and once d reaches `flush`. Every row must have `columns` fields.
  ;; Returns the new d, or -1/-2 as encodeRow does, -3 for a row with another field count. Leaves at
  ;; 260 where it stopped, at 264 how many rows it wrote, at 268 why it stopped: 0 the chunk is done,
  ;; 1 the packet at 260 is not an ordinary row, 2 no room, 3 d reached `flush`.
  (func (export "encodeRows") (param $p i32) (param $end i32) (param $d i32) (param $cap i32) (param $flush i32) (param $columns i32) (result i32)
    (local $len i32)
    (local $lead i32)
    (local $rows i32)
    (local $why i32)
    (block $stop
      (loop $packet
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 4))
          (then (local.set $why (i32.const 0)) (br $stop)))
        (local.set $len (i32.and (i32.load align=1 (local.get $p)) (i32.const 0xffffff)))
        (local.set $lead (i32.load8_u offset=4 (local.get $p)))
        (if (i32.or
              (i32.or (i32.eqz (local.get $len)) (i32.eq (local.get $len) (i32.const 0xffffff)))
              (i32.ge_u (local.get $lead) (i32.const 0xfe)))
          (then (local.set $why (i32.const 1)) (br $stop)))
        ;; Room for the worst case, as the caller's own check: every byte escaped or a NULL.
        (if (i32.gt_u (i32.add (local.get $d) (i32.add (i32.mul (local.get $len) (i32.const 3)) (i32.const 64))) (local.get $cap))
          (then (local.set $why (i32.const 2)) (br $stop)))
        (local.set $d (call $encodeRow
          (i32.add (local.get $p) (i32.const 4))
          (i32.add (local.get $p) (i32.add (local.get $len) (i32.const 4)))
          (local.get $d)))
        (if (i32.lt_s (local.get $d) (i32.const 0)) (then (return (local.get $d))))
        (if (i32.ne (i32.load (i32.const 256)) (local.get $columns)) (then (return (i32.const -3))))
        (local.set $p (i32.add (local.get $p) (i32.add (local.get $len) (i32.const 4))))
        (local.set $rows (i32.add (local.get $rows) (i32.const 1)))
        (if (i32.ge_u (local.get $d) (local.get $flush))
          (then (local.set $why (i32.const 3)) (br $stop)))
        (br $packet)))
    (i32.store (i32.const 260) (local.get $p))
    (i32.store (i32.const 264) (local.get $rows))
    (i32.store (i32.const 268) (local.get $why))
    (local.get $d))
)
