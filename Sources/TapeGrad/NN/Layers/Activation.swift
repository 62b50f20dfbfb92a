/// An activation applied by layers such as ``Dense`` (MindSpore's activation names).
///
/// ```swift
/// Dense(inChannels: 4, outChannels: 8, activation: .relu)
/// ```
public enum Activation: String, Sendable {
    /// max(x, 0).
    case relu
    /// 1 / (1 + e⁻ˣ).
    case sigmoid
    /// tanh x.
    case tanh
    /// GELU with the tanh approximation (MindSpore's default).
    case gelu
    /// softmax along the last axis.
    case softmax
    /// log-softmax along the last axis.
    case logSoftmax = "logsoftmax"
    /// leaky ReLU with slope 0.2 (MindSpore's default).
    case leakyRelu = "leakyrelu"

    /// MindSpore's class name for the activation, as printed inside a layer (`ReLU`, `GELU`, …).
    public var mindSporeName: String {
        switch self {
        case .relu: return "ReLU"
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        case .gelu: return "GELU"
        case .softmax: return "Softmax"
        case .logSoftmax: return "LogSoftmax"
        case .leakyRelu: return "LeakyReLU"
        }
    }

    /// Applies the activation.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return TapeGrad.relu(x)
        case .sigmoid: return TapeGrad.sigmoid(x)
        case .tanh: return TapeGrad.tanh(x)
        case .gelu: return TapeGrad.gelu(x)
        case .softmax: return x.softmax(alongAxis: -1)
        case .logSoftmax: return x.logSoftmax(alongAxis: -1)
        case .leakyRelu: return TapeGrad.leakyRelu(x)
        }
    }
}
