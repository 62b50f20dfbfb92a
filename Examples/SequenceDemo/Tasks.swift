// The two tasks, generated in code: sorting 10 digits, and adding two 5-digit numbers (digits least
// significant first, one input token per digit pair, one output digit per position, 6 positions).
import TapeGrad

enum Task: String {
    case sort, add

    /// Input length (= output length).
    var length: Int { self == .sort ? 10 : 6 }
    /// Input vocabulary: a digit, or a digit pair a·10 + b.
    var vocabulary: Int { self == .sort ? 10 : 100 }

    /// One random example: input tokens and target digits.
    func example(_ rng: inout RandomGenerator) -> (input: [Int32], target: [Int32]) {
        switch self {
        case .sort:
            let digits = (0..<10).map { _ in Int32(rng.next(upperBound: UInt64(10))) }
            return (digits, digits.sorted())
        case .add:
            let a = Int(rng.next(upperBound: UInt64(100_000))), b = Int(rng.next(upperBound: UInt64(100_000)))
            let sum = a + b
            var input: [Int32] = [], target: [Int32] = []
            var (x, y, s) = (a, b, sum)
            for _ in 0..<6 {
                input.append(Int32((x % 10) * 10 + y % 10))
                target.append(Int32(s % 10))
                x /= 10; y /= 10; s /= 10
            }
            return (input, target)
        }
    }

    /// `count` distinct examples none of which is in `excluded`, as `[count, length]` int32 tensors.
    func examples(_ count: Int, seed: UInt64, excluding excluded: Set<[Int32]> = []) -> (inputs: Tensor, targets: Tensor, seen: Set<[Int32]>) {
        var rng = RandomGenerator(seed: seed)
        var seen = Set<[Int32]>(), inputs: [Int32] = [], targets: [Int32] = []
        while seen.count < count {
            let (x, y) = example(&rng)
            guard !excluded.contains(x), seen.insert(x).inserted else { continue }
            inputs += x
            targets += y
        }
        return (Tensor(inputs, shape: [count, length]), Tensor(targets, shape: [count, length]), seen)
    }
}
