import Foundation
import Synchronization

// Crash-safe replacement of a file: write a temporary file in the same folder, fsync it, rename it over the
// target, fsync the folder. A save killed at any point leaves the previous file intact; the temporary files
// such kills leave behind are removed by the next save to the same path.

enum DurableFile {
    private static let sequence = Atomic<Int>(0)

    /// The prefix of every temporary file for `url`: `.<name>.` (then `<pid>.<n>.tmp`).
    static func temporaryPrefix(for url: URL) -> String { ".\(url.lastPathComponent)." }

    /// Replaces `url` with the bytes `write` produces, durably and atomically.
    static func replace(_ url: URL, write: (_ fd: Int32) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CheckpointError.io("cannot save to \(url.path): the folder \(folder.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            throw CheckpointError.isDirectory(path: url.path)
        }
        removeStaleTemporaries(for: url)
        let n = sequence.add(1, ordering: .relaxed).newValue
        let temporary = folder.appendingPathComponent("\(temporaryPrefix(for: url))\(getpid()).\(n).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CheckpointError.io("cannot create \(temporary.path): \(systemError())") }
        do {
            try write(fd)
            guard fsync(fd) == 0 else { throw CheckpointError.io("cannot flush \(temporary.path) to disk: \(systemError())") }
            guard close(fd) == 0 else { throw CheckpointError.io("cannot close \(temporary.path): \(systemError())") }
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = systemError()
            unlink(temporary.path)
            throw CheckpointError.io("cannot move the checkpoint into place at \(url.path): \(reason)")
        }
        // The rename is durable only once the folder's entry is on disk.
        let folderFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and interruptions.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Foundation.write(fd, p, Swift.min(left, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.io("cannot write \(path): \(systemError())")
            }
            p += written
            left -= written
        }
    }

    /// Removes `.<name>.<pid>[.<n>].tmp` files left by saves whose process no longer exists (killed mid-save).
    /// Files of live processes (another save in progress, here or elsewhere) are kept.
    static func removeStaleTemporaries(for url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = temporaryPrefix(for: url)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let middle = name.dropFirst(prefix.count).dropLast(4)
            guard let pid = middle.split(separator: ".").first.flatMap({ Int32($0) }), pid > 0 else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder.appendingPathComponent(name).path)
            }
        }
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
