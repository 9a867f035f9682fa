import Foundation

/// A zip file read by an independent implementation, Python's `zipfile` (tools/setup installs
/// python3): every entry's CRC checked (`testzip`), then each entry's name, modification time
/// and text. A test of our writer against our own reader would prove only that they agree.
public struct InspectedZipEntry: Sendable, Decodable, Equatable {
    public var name: String
    /// "YYYY-MM-DD HH:MM:SS" as stored (UTC, 2-second steps).
    public var modified: String
    /// The content as UTF-8 (invalid bytes replaced), its size and the sum of its bytes.
    public var text: String
    public var size: Int
    public var byteSum: UInt32
}

public func inspectZip(_ archive: [UInt8]) throws -> [InspectedZipEntry] {
    let file = FileManager.default.temporaryDirectory.appending(path: "inspect-\(UUID().uuidString).zip")
    try Data(archive).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let script = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip()
            if bad is not None:
                sys.exit("bad CRC in " + bad)
            entries = []
            for i in z.infolist():
                data = z.read(i)
                entries.append({"name": i.filename, "modified": "%04d-%02d-%02d %02d:%02d:%02d" % i.date_time,
                                "text": data.decode("utf-8", "replace"), "size": len(data),
                                "byteSum": sum(data) & 0xFFFFFFFF})
            print(json.dumps(entries))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, file.path]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ZipInspectionError(description: "python3 zipfile refused the archive: \(message)")
    }
    return try JSONDecoder().decode([InspectedZipEntry].self, from: data)
}

public struct ZipInspectionError: Error, CustomStringConvertible {
    public var description: String
}
