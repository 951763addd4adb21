;; SIMD kernels that the encoder runs on tfjs-wasm where tfjs's own are scalar or many small ops: erf and
;; GELU, the attention's batched matmuls (tfjs-wasm has XNNPACK only for the dense layers), and layer
;; normalisation (one kernel for the graph's nine ops).
;; Assembled by tools/build-wasm-kernels.ts into kernels-wasm.ts; driven by kernels.ts.
;; Buffers are byte offsets into this module's own memory, 16-byte aligned and padded to whole v128s.
(module
  (memory (export "memory") 1)

  ;; erf(x) = x·P(x²)/Q(x²), x clamped to ±3.925 (where erf is ±1 in float32), result clamped to ±1.
  ;; P and Q (degree 5 each) are a weighted least-squares fit, max error 1.7e-8 in float64 and 3.8e-7
  ;; evaluated in float32 (tools/fit-erf.py prints them; kernels.test.ts checks the error).
  ;; With $gelu = 1 it writes GELU instead: 0.5·x·(1 + erf(x/√2)), the graph's five GELU ops in one.
  (func (export "erf") (param $src i32) (param $dst i32) (param $vectors i32) (param $gelu i32)
    (local $end i32) (local $inScale v128) (local $half v128) (local $input v128) (local $erf v128) (local $clamp v128) (local $negativeClamp v128) (local $one v128) (local $minusOne v128) (local $x v128) (local $u v128) (local $p v128) (local $q v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128) (local $p5 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128) (local $q5 v128)
    ;; Coefficients and bounds, splatted once per call.
    (local.set $p0 (f32x4.splat (f32.const 1.128378987312317)))
    (local.set $p1 (f32x4.splat (f32.const 0.19294631481170654)))
    (local.set $p2 (f32x4.splat (f32.const 0.053080081939697266)))
    (local.set $p3 (f32x4.splat (f32.const 0.003874950110912323)))
    (local.set $p4 (f32x4.splat (f32.const 0.00028741828282363713)))
    (local.set $p5 (f32x4.splat (f32.const 2.030534460573108e-06)))
    (local.set $q0 (f32x4.splat (f32.const 1.0)))
    (local.set $q1 (f32x4.splat (f32.const 0.5043258666992188)))
    (local.set $q2 (f32x4.splat (f32.const 0.11515586823225021)))
    (local.set $q3 (f32x4.splat (f32.const 0.01518567930907011)))
    (local.set $q4 (f32x4.splat (f32.const 0.0011893331538885832)))
    (local.set $q5 (f32x4.splat (f32.const 3.802404535235837e-05)))
    (local.set $clamp (f32x4.splat (f32.const 3.925)))
    (local.set $negativeClamp (f32x4.splat (f32.const -3.925)))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $minusOne (f32x4.splat (f32.const -1)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $inScale (f32x4.splat (select (f32.const 0.7071067811865476) (f32.const 1) (local.get $gelu))))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $vectors) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        ;; pmin/pmax (x86 minps/maxps) rather than min/max, whose NaN rules cost V8 a long sequence;
        ;; with x as the first operand a NaN still comes through.
        (local.set $input (v128.load (local.get $src)))
        (local.set $x (f32x4.pmax (f32x4.pmin (f32x4.mul (local.get $input) (local.get $inScale)) (local.get $clamp)) (local.get $negativeClamp)))
        (local.set $u (f32x4.mul (local.get $x) (local.get $x)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p5) (local.get $u)) (local.get $p4)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $u)) (local.get $p3)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $u)) (local.get $p2)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $u)) (local.get $p1)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $u)) (local.get $p0)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q5) (local.get $u)) (local.get $q4)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $u)) (local.get $q3)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $u)) (local.get $q2)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $u)) (local.get $q1)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $u)) (local.get $q0)))
        (local.set $erf
          (f32x4.pmax (f32x4.pmin (f32x4.div (f32x4.mul (local.get $x) (local.get $p)) (local.get $q)) (local.get $one)) (local.get $minusOne)))
        (if (local.get $gelu)
          (then (local.set $erf (f32x4.mul (f32x4.mul (local.get $input) (local.get $half)) (f32x4.add (local.get $erf) (local.get $one))))))
        (v128.store (local.get $dst) (local.get $erf))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $next))))

  ;; out[t, i, :] = Σ_p a[t, i, p] · b[t, p, :] for t < batch, i < m: a [batch, m, k], b [batch, k, n],
  ;; out [batch, m, n], n a multiple of 4. Columns go 16 at a time (4 accumulators), then 4 at a time.
  (func (export "batch_matmul") (param $a i32) (param $b i32) (param $out i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $aRowBytes i32) (local $bRowBytes i32) (local $aEnd i32) (local $aRow i32) (local $col i32)
    (local $pa i32) (local $pb i32) (local $paEnd i32) (local $s v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $aRowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $bRowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $aRow (local.get $a))
    (local.set $aEnd (i32.add (local.get $a) (i32.mul (i32.mul (local.get $batch) (local.get $m)) (local.get $aRowBytes))))
    (block $allRows
      (loop $row
        (br_if $allRows (i32.ge_u (local.get $aRow) (local.get $aEnd)))
        (local.set $paEnd (i32.add (local.get $aRow) (local.get $aRowBytes)))
        (local.set $col (i32.const 0))
        ;; 16 columns at a time.
        (block $wideDone
          (loop $wide
            (br_if $wideDone (i32.gt_u (i32.add (local.get $col) (i32.const 64)) (local.get $bRowBytes)))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $acc2 (v128.const i32x4 0 0 0 0))
            (local.set $acc3 (v128.const i32x4 0 0 0 0))
            (local.set $pa (local.get $aRow))
            (local.set $pb (i32.add (local.get $b) (local.get $col)))
            (block $kDone
              (loop $kStep
                (br_if $kDone (i32.ge_u (local.get $pa) (local.get $paEnd)))
                (local.set $s (f32x4.splat (f32.load (local.get $pa))))
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $pb)))))
                (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $pb)))))
                (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $pb)))))
                (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bRowBytes)))
                (br $kStep)))
            (v128.store offset=0 (i32.add (local.get $out) (local.get $col)) (local.get $acc0))
            (v128.store offset=16 (i32.add (local.get $out) (local.get $col)) (local.get $acc1))
            (v128.store offset=32 (i32.add (local.get $out) (local.get $col)) (local.get $acc2))
            (v128.store offset=48 (i32.add (local.get $out) (local.get $col)) (local.get $acc3))
            (local.set $col (i32.add (local.get $col) (i32.const 64)))
            (br $wide)))
        ;; The remaining columns, 4 at a time.
        (block $narrowDone
          (loop $narrow
            (br_if $narrowDone (i32.ge_u (local.get $col) (local.get $bRowBytes)))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $pa (local.get $aRow))
            (local.set $pb (i32.add (local.get $b) (local.get $col)))
            (block $kDone
              (loop $kStep
                (br_if $kDone (i32.ge_u (local.get $pa) (local.get $paEnd)))
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (f32x4.splat (f32.load (local.get $pa))) (v128.load (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bRowBytes)))
                (br $kStep)))
            (v128.store (i32.add (local.get $out) (local.get $col)) (local.get $acc0))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (br $narrow)))
        (local.set $out (i32.add (local.get $out) (local.get $bRowBytes)))
        (local.set $aRow (local.get $paEnd))
        ;; Past the last row of this batch entry's a: on to the next entry's b.
        (if (i32.eqz (i32.rem_u (i32.sub (local.get $aRow) (local.get $a)) (i32.mul (local.get $m) (local.get $aRowBytes))))
          (then (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $bRowBytes))))))
        (br $row))))

  ;; out[t, i, j] = Σ_p a[t, i, p] · b[t, j, p] (b transposed, as in query · keyᵀ): a [batch, m, k],
  ;; b [batch, n, k], out [batch, m, n], k a multiple of 4. Dot products 16 floats at a time (4
  ;; accumulators), then 4 at a time, summed across lanes at the end.
  (func (export "batch_matmul_transposed_b") (param $a i32) (param $b i32) (param $out i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (local $rowBytes i32) (local $t i32) (local $i i32) (local $j i32) (local $aRow i32) (local $bRow i32)
    (local $bMatrix i32) (local $offset i32) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $aRow (local.get $a))
    (local.set $bMatrix (local.get $b))
    (local.set $t (i32.const 0))
    (block $allEntries
      (loop $entry
        (br_if $allEntries (i32.ge_u (local.get $t) (local.get $batch)))
        (local.set $i (i32.const 0))
        (block $allRows
          (loop $row
            (br_if $allRows (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $bRow (local.get $bMatrix))
            (local.set $j (i32.const 0))
            (block $allCols
              (loop $colStep
                (br_if $allCols (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
                (local.set $acc1 (v128.const i32x4 0 0 0 0))
                (local.set $acc2 (v128.const i32x4 0 0 0 0))
                (local.set $acc3 (v128.const i32x4 0 0 0 0))
                (local.set $offset (i32.const 0))
                (block $wideDone
                  (loop $wide
                    (br_if $wideDone (i32.gt_u (i32.add (local.get $offset) (i32.const 64)) (local.get $rowBytes)))
                    (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
                      (v128.load offset=0 (i32.add (local.get $aRow) (local.get $offset)))
                      (v128.load offset=0 (i32.add (local.get $bRow) (local.get $offset))))))
                    (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul
                      (v128.load offset=16 (i32.add (local.get $aRow) (local.get $offset)))
                      (v128.load offset=16 (i32.add (local.get $bRow) (local.get $offset))))))
                    (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
                      (v128.load offset=32 (i32.add (local.get $aRow) (local.get $offset)))
                      (v128.load offset=32 (i32.add (local.get $bRow) (local.get $offset))))))
                    (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul
                      (v128.load offset=48 (i32.add (local.get $aRow) (local.get $offset)))
                      (v128.load offset=48 (i32.add (local.get $bRow) (local.get $offset))))))
                    (local.set $offset (i32.add (local.get $offset) (i32.const 64)))
                    (br $wide)))
                (block $narrowDone
                  (loop $narrow
                    (br_if $narrowDone (i32.ge_u (local.get $offset) (local.get $rowBytes)))
                    (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
                      (v128.load (i32.add (local.get $aRow) (local.get $offset)))
                      (v128.load (i32.add (local.get $bRow) (local.get $offset))))))
                    (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
                    (br $narrow)))
                (local.set $acc0 (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (f32x4.add (local.get $acc2) (local.get $acc3))))
                (f32.store (local.get $out) (call $lanes (local.get $acc0)))
                (local.set $out (i32.add (local.get $out) (i32.const 4)))
                (local.set $bRow (i32.add (local.get $bRow) (local.get $rowBytes)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $colStep)))
            (local.set $aRow (i32.add (local.get $aRow) (local.get $rowBytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $row)))
        (local.set $bMatrix (i32.add (local.get $bMatrix) (i32.mul (local.get $n) (local.get $rowBytes))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $entry))))

  ;; Layer normalisation over rows of `cols` floats (cols a multiple of 4):
  ;; out = (x - mean)·(variance + eps)^-½·gamma + beta, mean and variance over the row, as the graph's
  ;; nine-op LayerNorm computes it (src/encoder/graph-runner.ts fuses that pattern into this).
  (func (export "layer_norm") (param $x i32) (param $gamma i32) (param $beta i32) (param $out i32)
    (param $rows i32) (param $cols i32) (param $eps f32)
    (local $rowBytes i32) (local $end i32) (local $offset i32) (local $acc v128) (local $d v128)
    (local $mean v128) (local $scale v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (block $allRows
      (loop $row
        (br_if $allRows (i32.ge_u (local.get $x) (local.get $end)))
        ;; Mean.
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $offset) (local.get $rowBytes)))
            (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $x) (local.get $offset)))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
            (br $sum)))
        (local.set $mean (f32x4.splat (f32.div (call $lanes (local.get $acc)) (f32.convert_i32_u (local.get $cols)))))
        ;; Variance, then the scale 1/√(variance + eps).
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        (block $squaresDone
          (loop $squares
            (br_if $squaresDone (i32.ge_u (local.get $offset) (local.get $rowBytes)))
            (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $offset))) (local.get $mean)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
            (br $squares)))
        (local.set $scale (f32x4.splat (f32.div (f32.const 1)
          (f32.sqrt (f32.add (f32.div (call $lanes (local.get $acc)) (f32.convert_i32_u (local.get $cols))) (local.get $eps))))))
        ;; Normalise, scale and shift.
        (local.set $offset (i32.const 0))
        (block $normDone
          (loop $norm
            (br_if $normDone (i32.ge_u (local.get $offset) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $out) (local.get $offset))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $offset))) (local.get $mean)) (local.get $scale))
                  (v128.load (i32.add (local.get $gamma) (local.get $offset))))
                (v128.load (i32.add (local.get $beta) (local.get $offset)))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
            (br $norm)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (br $row))))

  ;; The sum of a vector's four lanes.
  (func $lanes (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
)
