/// One group of an optimizer's parameters with its own settings, MindSpore's `group_params` entry
/// `{'params': …, 'lr': …, 'weight_decay': …, 'grad_centralization': …}`. A setting left `nil` takes the
/// optimizer's argument (`learningRate:`, `weightDecay:`; gradient centralization off).
///
/// As in MindSpore, a group's weight decay applies to *every* parameter of the group when it is > 0 (the
/// ungrouped default, which skips names containing `beta` or `gamma`, does not apply to groups): put the
/// parameters that must not decay in their own group, for instance with ``splitForWeightDecay(_:weightDecay:learningRate:)``.
///
/// ```swift
/// let params = Dense(inChannels: 4, outChannels: 2).trainableParams()
/// let opt = try Adam(groups: [ParameterGroup(params: [params[0]], weightDecay: 0.01),
///                             ParameterGroup(params: [params[1]], learningRate: 1e-2)],
///                    learningRate: 1e-3)
/// ```
public struct ParameterGroup: Sendable {
    /// The parameters of the group (MindSpore's `params`), at least one.
    public var params: [Parameter]
    /// The group's learning rate or schedule (MindSpore's `lr`); `nil`: the optimizer's.
    public var learningRate: LearningRateSchedule?
    /// The group's weight decay (MindSpore's `weight_decay`), applied to all its parameters when > 0; `nil`: the
    /// optimizer's.
    public var weightDecay: Double?
    /// Whether the group's gradients are centralized (MindSpore's `grad_centralization`): g ← g − mean(g) over
    /// every axis but the first, for gradients of rank ≥ 2 whose second dimension is a multiple of 16 (MindSpore's
    /// rule; other gradients pass unchanged). `nil`: off.
    public var gradCentralization: Bool?

    /// A group of `params` with optional settings of its own.
    ///
    /// ```swift
    /// let group = ParameterGroup(params: net.trainableParams(), learningRate: 0.01, weightDecay: 1e-4)
    /// ```
    public init(params: [Parameter], learningRate: LearningRateSchedule? = nil, weightDecay: Double? = nil, gradCentralization: Bool? = nil) {
        self.params = params
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.gradCentralization = gradCentralization
    }

    /// Whether a parameter is commonly kept out of weight decay: a vector or scalar (rank ≤ 1: biases, and the
    /// scale and shift γ/β of BatchNorm, LayerNorm, GroupNorm, RMSNorm), or a name whose last component contains
    /// `bias`, `beta` or `gamma` (MindSpore's naming of those).
    ///
    /// ```swift
    /// let dense = Dense(inChannels: 4, outChannels: 2)
    /// ParameterGroup.isExcludedFromWeightDecay(dense.weight)   // false: rank 2, named "weight"
    /// ```
    public static func isExcludedFromWeightDecay(_ parameter: Parameter) -> Bool {
        if parameter.shape.count <= 1 { return true }
        let last = parameter.name.split(separator: ".").last.map(String.init) ?? parameter.name
        return ["bias", "beta", "gamma"].contains { last.contains($0) }
    }

    /// The common split "no decay for biases and norms": a group of the parameters that decay (with
    /// `weightDecay`) and a group of those ``isExcludedFromWeightDecay(_:)`` selects (weight decay 0), each
    /// keeping the order of `params`; an empty group is left out. Both groups take the optimizer's learning rate
    /// unless `learningRate` is given.
    ///
    /// ```swift
    /// let opt = try AdamWeightDecay(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 0.01),
    ///                               learningRate: 1e-3)
    /// ```
    public static func splitForWeightDecay(_ params: [Parameter], weightDecay: Double,
                                           learningRate: LearningRateSchedule? = nil) -> [ParameterGroup] {
        let decayed = params.filter { !isExcludedFromWeightDecay($0) }, kept = params.filter(isExcludedFromWeightDecay)
        return [ParameterGroup(params: decayed, learningRate: learningRate, weightDecay: weightDecay),
                ParameterGroup(params: kept, learningRate: learningRate, weightDecay: 0)].filter { !$0.params.isEmpty }
    }
}

/// How each parameter of a grouped optimizer is updated: its group, its weight decay, whether its gradient is
/// centralized. Built without failing (so the optimizer can be initialized) and checked by ``check(optimizer:)``.
struct GroupPlan: Sendable {
    struct Rule: Sendable {
        var group: Int
        var weightDecay: Double
        var gradCentralization: Bool
    }
    let groups: [ParameterGroup]
    let orderParams: [Parameter]?
    /// The parameters in update order: the groups' in turn, or `orderParams`' order.
    let parameters: [Parameter]
    /// One rule per parameter, in update order.
    let rules: [Rule]

    init(groups: [ParameterGroup], orderParams: [Parameter]?, weightDecay: Double) {
        self.groups = groups
        self.orderParams = orderParams
        var params: [Parameter] = [], rules: [Rule] = []
        for (i, group) in groups.enumerated() {
            for p in group.params {
                params.append(p)
                rules.append(Rule(group: i, weightDecay: group.weightDecay ?? weightDecay, gradCentralization: group.gradCentralization ?? false))
            }
        }
        if let order = orderParams, order.count == params.count {
            let index = Dictionary(params.enumerated().map { (ObjectIdentifier($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
            let positions = order.compactMap { index[ObjectIdentifier($0)] }
            if positions.count == params.count, Set(positions).count == positions.count {
                params = positions.map { params[$0] }
                rules = positions.map { rules[$0] }
            }
        }
        self.parameters = params
        self.rules = rules
    }

    /// MindSpore's checks of `group_params`, in its order: no groups or an empty group (ValueError), a parameter in
    /// two groups (RuntimeError), a learning rate or weight decay that is not a finite number ≥ 0 (ValueError),
    /// `orderParams` that are not exactly the grouped parameters (ValueError); and gradient centralization asked
    /// of an optimizer that never centralizes (MindSpore ignores it silently).
    func check(optimizer name: String, centralizes: Bool) throws {
        guard !groups.isEmpty else { throw OptimizerError.emptyParameters(optimizer: name) }
        var seen = Set<ObjectIdentifier>(), names = Set<String>()
        for (i, group) in groups.enumerated() {
            guard !group.params.isEmpty else { throw OptimizerError.emptyGroup(optimizer: name, group: i) }
            for p in group.params {
                guard seen.insert(ObjectIdentifier(p)).inserted, names.insert(p.name).inserted else {
                    throw OptimizerError.duplicateParameter(optimizer: name, parameter: p.name)
                }
            }
            if case .constant(let lr)? = group.learningRate, !(lr.isFinite && lr >= 0) {
                throw OptimizerError.invalidArgument(optimizer: name, argument: "groups[\(i)].learningRate", value: "\(lr)",
                                                     expected: "a finite number ≥ 0")
            }
            if let wd = group.weightDecay, !(wd.isFinite && wd >= 0) {
                throw OptimizerError.invalidArgument(optimizer: name, argument: "groups[\(i)].weightDecay", value: "\(wd)",
                                                     expected: "a finite number ≥ 0")
            }
            if group.gradCentralization == true && !centralizes {
                throw OptimizerError.invalidArgument(optimizer: name, argument: "groups[\(i)].gradCentralization", value: "true",
                                                     expected: "false (\(name) does not centralize gradients; MindSpore ignores the setting)")
            }
        }
        if let order = orderParams {
            let orderIDs = order.map(ObjectIdentifier.init)
            guard order.count == seen.count, Set(orderIDs) == seen else {
                let unknown = order.filter { !seen.contains(ObjectIdentifier($0)) }.map(\.name)
                throw OptimizerError.invalidArgument(optimizer: name, argument: "orderParams", value: "\(order.count) parameters"
                    + (unknown.isEmpty ? "" : " (not in any group: \(unknown.joined(separator: ", ")))"),
                    expected: "each of the \(seen.count) grouped parameters exactly once")
            }
        }
    }

    /// The rates of the groups that have their own learning rate at `step` (nil for the others).
    func rates(at step: Int) -> [Double?] { groups.map { $0.learningRate?.rate(at: step) } }
}

/// MindSpore's gradient centralization (`inner.Centralization` as `Optimizer.gradients_centralization` applies
/// it): g − mean(g) over axes 1…, for rank ≥ 2 and a second dimension divisible by 16; other gradients unchanged.
func centralizedGradient(_ g: Tensor) -> Tensor {
    guard g.rank >= 2, g.shape[1] % 16 == 0 else { return g }
    return g - g.mean(alongAxes: Array(1..<g.rank), keepDims: true)
}
