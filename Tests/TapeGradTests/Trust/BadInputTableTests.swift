import Foundation
import XCTest
@testable import TapeGrad

/// The rows of the bad-input table, by family (each family in its own file: `BadInputRows+<Family>.swift`).
enum BadInputRows {}

/// Every bad or edge input of the table throws a typed error naming the op or argument and what was expected:
/// no trap inside a scope, no silent wrong answer.
final class BadInputTableTests: XCTestCase {
    func testOversizedShapesThrowInsteadOfTrapping() { runTable(BadInputRows.sizes) }
    func testEveryCheckpointFailureIsACheckpointError() { runTable(BadInputRows.checkpoint) }
    func testEveryOpFamilyReportsTheOpAndWhatItExpected() { runTable(BadInputRows.ops) }
    func testEveryGradAPIFlagFailsWithItsOwnError() { runTable(BadInputRows.grad) }
    func testEveryLayerLossAndOptimizerStepNamesItself() { runTable(BadInputRows.nn) }
    func testEveryNormalizationLayerNamesItselfWithItsConfiguration() { runTable(BadInputRows.normalization) }
    func testEveryParameterGroupAndLossScaleArgumentNamesItself() { runTable(BadInputRows.trainingKit) }
}
