// The gradient-penalty example: a physics-informed network fits the ODE u'' + u = 0 with u(0) = 0 and
// u'(0) = 1 (whose solution is sin x) on [0, 2π], knowing nothing of sin. The loss is a penalty on a
// second derivative of the network with respect to its input,
//
//     L(θ) = ⟨(∂²u/∂x² + u)²⟩ₓ + u(0)² + (∂u/∂x(0) − 1)²,
//
// so each training step differentiates (with respect to θ) a gradient of a gradient (with respect to x):
// three nested tapes. The penalty term decreases as the network learns sin x.
//
//     swift run -c release tapegrad-penalty [--steps 3000] [--points 64] [--learning-rate 0.01]
import Foundation
import TapeGrad

/// u(x): 1 → 32 → 32 → 1 with tanh, so that its second derivative is smooth.
final class Field: Cell {
    let fc1 = Dense(inChannels: 1, outChannels: 32, activation: .tanh, seed: 1)
    let fc2 = Dense(inChannels: 32, outChannels: 32, activation: .tanh, seed: 2)
    let fc3 = Dense(inChannels: 32, outChannels: 1, seed: 3)
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

/// x ↦ ∂/∂x Σ f(x): for a function applied point by point (one point per row), its derivative at each
/// point. Recorded by the enclosing computations, so it can be differentiated again. A failure gives
/// NaN, which stops training with a message below.
func derivative(of f: @escaping (Tensor) -> Tensor) -> (Tensor) -> Tensor {
    { x in (try? gradient(at: x) { f($0).sum() }) ?? Tensor.full(x.shape, value: .nan) }
}

var steps = 3000, points = 64, learningRate = 0.01
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch flag {
    case "--steps": steps = Int(arguments.next() ?? "") ?? steps
    case "--points": points = Int(arguments.next() ?? "") ?? points
    case "--learning-rate": learningRate = Double(arguments.next() ?? "") ?? learningRate
    default:
        print("usage: tapegrad-penalty [--steps N] [--points N] [--learning-rate X]")
        exit(flag == "--help" ? 0 : 2)
    }
}

let net = Field()
let u: (Tensor) -> Tensor = { net($0) }
let du = derivative(of: u)
let d2u = derivative(of: du)

// Collocation points on [0, 2π] (a column), and the boundary point x = 0.
let x = (Tensor.arange(Double(points)) * (2 * Double.pi / Double(points - 1))).reshaped(to: [points, 1])
let origin = Tensor.zeros([1, 1])

/// (L, penalty, initial-condition term): only L is differentiated (hasAux).
let objective = { (x: Tensor) -> TensorTree in
    let residual = d2u(x) + u(x)
    let penalty = (residual * residual).mean()
    let u0 = u(origin), slope0 = du(origin) - 1
    let initial = (u0 * u0 + slope0 * slope0).sum()
    return [.tensor(penalty + initial), .tensor(penalty), .tensor(initial)]
}

do {
    // Cosine decay smooths the late steps (Adam at a constant rate spikes now and then).
    let optimizer = Adam(params: net.trainableParams(), learningRate: .cosine(initial: learningRate, minimum: learningRate / 100, totalSteps: steps))
    let step = try valueAndGrad(objective, gradPosition: nil, weights: net.trainableParams(), hasAux: true)
    let exact = sin(x)
    func maxError() -> Double { abs(net(x) - exact).max().item() }

    print("u'' + u = 0, u(0) = 0, u'(0) = 1 on [0, 2π] with \(points) points; Adam, learning rate \(learningRate) with cosine decay")
    print(" step   penalty ⟨(u''+u)²⟩   u(0)² + (u'(0)−1)²   max |u − sin x|")
    var firstPenalty = Double.nan, lastPenalty = Double.nan
    let start = Date()
    for i in 0...steps {
        let (value, gradients) = try step(x)
        let penalty = value[1].asTensor.item(), initial = value[2].asTensor.item()
        guard penalty.isFinite, initial.isFinite else {
            print("step \(i): the loss is not finite (\(penalty), \(initial)); stopping")
            exit(1)
        }
        if i == 0 { firstPenalty = penalty }
        lastPenalty = penalty
        if i % (steps / 10 == 0 ? 1 : steps / 10) == 0 {
            print(String(format: "%5d   %18.3e   %18.3e   %15.4f", i, penalty, initial, maxError()))
        }
        if i < steps { try optimizer.step(gradients: gradients) }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "final: penalty %.2e (from %.2e, %.0f× lower), max |u − sin x| = %.4f on [0, 2π]; %d steps in %.1f s",
                 lastPenalty, firstPenalty, firstPenalty / lastPenalty, maxError(), steps, seconds))
} catch {
    print("error: \(error)")
    exit(1)
}
