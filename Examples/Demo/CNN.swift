import TapeGrad

/// The demo's second model, a small convolutional network on the 8×8 images (input `(N, 1, 8, 8)`):
/// conv 3×3 (8) → ReLU → max-pool 2 → conv 3×3 (16) → ReLU → max-pool 2 → flatten (64) → dense (10).
func makeCNN() throws -> Cell {
    SequentialCell([
        Conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, padMode: .same, hasBias: true),
        ReLU(),
        MaxPool2d(kernelSize: 2, stride: 2),
        Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, padMode: .same, hasBias: true),
        ReLU(),
        MaxPool2d(kernelSize: 2, stride: 2),
        Flatten(),
        Dense(inChannels: 64, outChannels: 10),
    ])
}
