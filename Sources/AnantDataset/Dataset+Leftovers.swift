#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AnantColumnar

/// What interrupted writers leave behind: a `.staging-vNNNNN-PID` folder (the shards of a
/// version that was never published, hundreds of MB for a large import) and temporary
/// files of durable writes (`DurableFile`, or `NAME.tmp-PID` links). Readers never look at
/// them; the next writer, holding the lock, removes them.
extension Dataset {
    /// The leftovers of writers that are gone: staging folders and temporary files whose
    /// process is not running (paths under `root`).
    public static func leftovers(_ root: String) -> [String] {
        leftoverCandidates(root).filter { !DurableFile.isAlive($0.pid) }.map(\.path)
    }

    /// Every staging folder and temporary file under `root`, with its writer's process id.
    static func leftoverCandidates(_ root: String) -> [(path: String, pid: Int32)] {
        var found = [(String, Int32)]()
        for folder in [root, "\(root)/_versions"] {
            for name in FileIO.list(folder).sorted() {
                if name.hasPrefix(".staging-"), let pid = name.split(separator: "-").last.flatMap({ Int32($0) }) {
                    found.append(("\(folder)/\(name)", pid))
                } else if let pid = DurableFile.owner(ofTemporary: name) {
                    found.append(("\(folder)/\(name)", pid))
                } else if let marker = name.ranges(of: ".tmp-").last, let pid = Int32(name[marker.upperBound...]) {
                    found.append(("\(folder)/\(name)", pid))
                }
            }
        }
        return found
    }

    /// Removes every staging folder and temporary file but this process's. Only the holder
    /// of the writer lock may call it: while it holds the lock no other writer can be
    /// running, so whatever another process left is stale.
    static func removeLeftovers(_ root: String) -> [String] {
        let mine = getpid()
        var removed = [String]()
        for (path, pid) in leftoverCandidates(root) where pid != mine {
            FileIO.removeTree(path)
            removed.append(path)
        }
        return removed
    }
}
