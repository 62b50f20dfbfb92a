// BM: comparisons returning bool masks, and `where` selecting with one, on 4 M floats.
import Foundation
import TapeGrad

/// `greater` (one pass writing bool bytes) and `where` with its bool mask, each against a hand-written Swift loop
/// doing the same work over raw buffers (the floor), measured in the same run.
func boolMasks() {
    let count = 1 << 22
    let x = Tensor.randomNormal([count], seed: 95), y = Tensor.randomNormal([count], seed: 96)
    let mask = greater(x, y)
    let a = buffer(count, seed: 97), b = buffer(count, seed: 98), c = buffer(count, seed: 99)
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
    defer { a.deallocate(); b.deallocate(); c.deallocate(); bytes.deallocate() }
    for i in 0..<count { bytes[i] = a[i] > b[i] ? 1 : 0 }
    reportAgainstFloor("BM", "greater(x, y) → bool [4 M]", "a > b into bytes, one Swift loop (floor)",
                       step: { _ = greater(x, y) },
                       floor: { for i in 0..<count { bytes[i] = a[i] > b[i] ? 1 : 0 } })
    reportAgainstFloor("BM", "x + y [4 M] (one float32 pass: the cost of the former float 0/1 mask)", "a > b into bytes, one Swift loop (floor)",
                       step: { _ = x + y },
                       floor: { for i in 0..<count { bytes[i] = a[i] > b[i] ? 1 : 0 } })
    reportAgainstFloor("BM", "where(mask, x, y) with a bool mask [4 M]", "mask ? a : b, one Swift loop (floor)",
                       step: { _ = `where`(mask, x, y) },
                       floor: { for i in 0..<count { c[i] = bytes[i] != 0 ? a[i] : b[i] } })
}
