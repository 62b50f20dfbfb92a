import XCTest
@testable import TapeGrad

/// The second-order walk's rows for shape ops: splitting, stacking, rearranging, padding and diagonals. All
/// are linear, so each result is squared (or multiplied by an input or passed through tanh) to give a
/// non-zero second derivative; ops returning several tensors are read through all of their pieces.
extension SecondOrderWalkTests {
    static var splitting: [Row] {
        let t = u([2, 5, 2], 540)
        return [
            Row("split", "sizes, axis 1", inputs: [t]) { x in flat(split(x[0], sizes: [2, 3], axis: 1).map(square)) * x[0].reshaped(to: [-1]) },
            Row("split", "size, uneven last piece", inputs: [t]) { x in flat(split(x[0], size: 2, axis: 1).enumerated().map { square($1) * Double($0 + 1) }) },
            Row("chunk", "uneven, axis 1", inputs: [t]) { x in flat(chunk(x[0], chunks: 3, axis: 1).map { tanh($0) }) },
            Row("narrow", "axis 1", inputs: [t]) { square(narrow($0[0], axis: 1, start: 1, length: 3)) },
            Row("unbind", "axis 2", inputs: [t]) { x in let p = unbind(x[0], axis: 2); return square(p[0]) * p[1] },
            Row("tensorSplit", "sections", inputs: [t]) { x in flat(tensorSplit(x[0], sections: 3, axis: 1).map(square)) * x[0].reshaped(to: [-1]) },
            Row("tensorSplit", "indices", inputs: [t]) { x in let p = tensorSplit(x[0], indices: [1, 4], axis: 1); return flat([square(p[0]), p[1] * p[1] * p[1], tanh(p[2])]) },
            Row("hstack", "1-D and 2-D", inputs: [u([3], 541), u([2], 542), u([2, 3], 543), u([2, 1], 544)]) { x in
                flat([square(hstack([x[0], x[1]])), square(hstack([x[2], x[3]]))])
            },
            Row("vstack", "1-D rows and a matrix", inputs: [u([3], 545), u([2, 3], 546)]) { square(vstack([$0[0], $0[1]])) * $0[1].sum() },
            Row("meshgrid", "xy", inputs: [u([3], 547), u([2], 548)]) { x in let g = meshgrid([x[0], x[1]]); return square(g[0]) * g[1] },
            Row("meshgrid", "ij, three inputs", inputs: [u([2], 549), u([3], 550), u([2], 551)]) { x in
                let g = meshgrid([x[0], x[1], x[2]], indexing: "ij"); return tanh(g[0] * g[1] + g[2])
            },
        ]
    }

    static var rearranging: [Row] {
        let t = u([2, 3, 2], 560)
        return [
            Row("flatten", "default from axis 1", inputs: [t]) { square($0[0].flatten()) * u([2, 6], 561) },
            Row("flatten", "axes 0…1", inputs: [t]) { square($0[0].flatten(startDim: 0, endDim: 1)) * u([6, 2], 562) },
            Row("unflatten", inputs: [u([2, 6], 563)]) { square($0[0].unflatten(axis: 1, sizes: [3, -1])) * u([2, 3, 2], 564) },
            Row("movedim", "one axis", inputs: [t]) { square($0[0].movedim(source: 0, destination: 2)) * u([3, 2, 2], 565) },
            Row("movedim", "two axes", inputs: [t]) { square($0[0].movedim(source: [0, 2], destination: [1, 0])) * u([2, 2, 3], 566) },
            Row("swapaxes", inputs: [t]) { square($0[0].swapaxes(0, -1)) * u([2, 3, 2], 567) },
            Row("flip", "two axes", inputs: [t]) { square(flip($0[0], axes: [0, 2])) * u([2, 3, 2], 568) },
            Row("roll", "two axes, negative shift", inputs: [t]) { square(roll($0[0], shifts: [2, -1], axes: [1, 2])) * u([2, 3, 2], 569) },
            Row("roll", "flattened", inputs: [t]) { square(roll($0[0], shifts: [5])) * u([2, 3, 2], 570) },
            Row("tile", inputs: [u([2, 3], 571)]) { square(tile($0[0], multiples: [2, 1, 2])) * u([2, 2, 6], 572) },
            Row("repeatInterleave", "flattened, one count", inputs: [u([2, 2], 573)]) { square(repeatInterleave($0[0], repeats: [2])) * u([8], 574) },
            Row("repeatInterleave", "per-slice counts, axis 1", inputs: [u([2, 3], 575)]) {
                square(repeatInterleave($0[0], repeats: [1, 0, 3], axis: 1)) * u([2, 4], 576)
            },
            Row("rot90", "once", inputs: [u([2, 3], 577)]) { square(rot90($0[0])) * u([3, 2], 578) },
            Row("rot90", "−1, axes [2, 1]", inputs: [t]) { square(rot90($0[0], k: -1, axes: [2, 1])) * u([2, 2, 3], 579) },
            Row("pad", "constant, last two axes", inputs: [t]) { square(pad($0[0], padding: [1, 0, 2, 1], value: 0.5)) * u([2, 6, 3], 580) },
            Row("pad", "negative crops", inputs: [t]) { square(pad($0[0], padding: [-1, 1, 0, -1])) * u([2, 2, 2], 581) },
            Row("pad", "reflect", inputs: [u([2, 4], 582)]) { square(pad($0[0], padding: [2, 3], mode: .reflect)) * u([2, 9], 583) },
            Row("pad", "replicate", inputs: [u([2, 3], 584)]) { square(pad($0[0], padding: [2, 1, 1, 0], mode: .replicate)) * u([3, 6], 585) },
        ]
    }

    static var diagonals: [Row] {
        let m = u([3, 4], 590)
        return [
            Row("triu", "offset 1", inputs: [m]) { square(triu($0[0], diagonal: 1)) * $0[0] },
            Row("triu", "batched", inputs: [u([2, 3, 3], 591)]) { square(triu($0[0])) },
            Row("tril", "offset −1", inputs: [m]) { square(tril($0[0], diagonal: -1)) * $0[0] },
            Row("diagonal", "offset 1", inputs: [m]) { square(diagonal($0[0], offset: 1)) },
            Row("diagonal", "batched, axes 2 and 0", inputs: [u([3, 2, 4], 592)]) { square(diagonal($0[0], offset: -1, axis1: 2, axis2: 0)) },
            Row("diag", "vector to matrix, offset −1", inputs: [u([3], 593)]) { square(diag($0[0], offset: -1)) * u([4, 4], 594) },
            Row("diag", "matrix to vector", inputs: [m]) { square(diag($0[0], offset: 1)) },
            Row("diagEmbed", "batched, offset 1", inputs: [u([2, 3], 595)]) { square(diagEmbed($0[0], offset: 1)) * u([2, 4, 4], 596) },
            Row("trace", "square", inputs: [u([3, 3], 597)]) { square(trace($0[0])) },
            Row("trace", "wide", inputs: [m]) { trace($0[0]) * $0[0] },
        ]
    }
}
