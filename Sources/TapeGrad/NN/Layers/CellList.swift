/// `nn.CellList`: holds cells in a list, named `0`, `1`, … as in MindSpore (so parameters are
/// `layers.0.dense1.weight`). It has no forward pass of its own: iterate it or index it.
///
/// ```swift
/// let blocks = CellList([Dense(inChannels: 4, outChannels: 4), Dense(inChannels: 4, outChannels: 4)])
/// let y = blocks.reduce(x) { $1($0) }
/// blocks.append(ReLU())
/// ```
public final class CellList: Cell, RandomAccessCollection {
    /// The cells, in order.
    public private(set) var cells: [Cell]

    /// A list of cells (empty by default).
    public init(_ cells: [Cell] = []) {
        self.cells = cells
        super.init()
    }

    /// Adds a cell at the end (MindSpore's `append`).
    public func append(_ cell: Cell) { cells.append(cell) }

    /// Adds cells at the end (MindSpore's `extend`).
    public func extend(_ more: [Cell]) { cells.append(contentsOf: more) }

    /// Inserts a cell before `index` (MindSpore's `insert`).
    public func insert(_ cell: Cell, at index: Int) { cells.insert(cell, at: Swift.min(Swift.max(index, 0), cells.count)) }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of cells.
    public var endIndex: Int { cells.count }
    /// The cell at `index`.
    public subscript(index: Int) -> Cell { cells[index] }

    /// Sub-cells named by their index.
    public override func subCells() -> [(name: String, cell: Cell)] { cells.enumerated().map { (String($0.offset), $0.element) } }
}
