import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), for the tests that
/// scrape `/metrics`: it rejects what Prometheus would reject, and a little more that a careful
/// exporter never writes.
///
/// The rules checked: metric and label names match `[a-zA-Z_:][a-zA-Z0-9_:]*` and
/// `[a-zA-Z_][a-zA-Z0-9_]*`; label values are quoted with only `\\`, `\"` and `\n` escaped; a
/// value is a float, `+Inf`, `-Inf` or `NaN`; `# TYPE` names a known type, comes at most once per
/// family and before its samples; a family's lines form one group; no series repeats; a
/// histogram has `_bucket` series with `le`, cumulative counts, a `+Inf` bucket equal to
/// `_count`, and a `_sum`; counters are not negative.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(self.line): \(self.reason)" }
    }

    var samples: [Sample] = []
    /// Family name → type.
    var types: [String: String] = [:]

    /// The value of the series `name` with exactly `labels`, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series of `name`.
    func series(_ name: String) -> [Sample] { self.samples.filter { $0.name == name } }

    init(parsing text: String) throws {
        var finished = Set<String>()  // families whose group has ended
        var current: String?
        var seen = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> Malformed { Malformed(line: number, reason: reason) }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[1] == "TYPE" || parts[1] == "HELP" else { continue }  // a comment
                let family = String(parts[2])
                guard Self.isMetricName(family) else { throw fail("bad metric name '\(family)'") }
                try self.enter(family, current: &current, finished: &finished, line: number)
                if parts[1] == "TYPE" {
                    let type = parts.count == 4 ? String(parts[3]) : ""
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                        throw fail("unknown type '\(type)'")
                    }
                    guard self.types[family] == nil else { throw fail("a second TYPE for \(family)") }
                    guard !self.samples.contains(where: { self.family(of: $0.name) == family }) else {
                        throw fail("TYPE of \(family) after its samples")
                    }
                    self.types[family] = type
                }
                continue
            }
            let sample = try Self.sample(String(line), line: number)
            let family = self.family(of: sample.name)
            try self.enter(family, current: &current, finished: &finished, line: number)
            let key =
                sample.name + "{"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",") + "}"
            guard seen.insert(key).inserted else { throw fail("series \(key) repeated") }
            if self.types[family] == "counter", sample.value < 0 { throw fail("negative counter \(key)") }
            self.samples.append(sample)
        }
        try self.checkHistograms()
    }

    /// The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to it.
    private func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if self.types[base] == "histogram" || self.types[base] == "summary" { return base }
        }
        return name
    }

    private func enter(_ family: String, current: inout String?, finished: inout Set<String>, line: Int) throws {
        guard family != current else { return }
        if finished.contains(family) { throw Malformed(line: line, reason: "the lines of \(family) are not one group") }
        if let current { finished.insert(current) }
        current = family
    }

    private func checkHistograms() throws {
        for (family, type) in self.types where type == "histogram" {
            var groups = [[String: String]: [(Double, Double)]]()
            for sample in self.series(family + "_bucket") {
                guard let bound = sample.labels["le"], let le = Self.number(bound) else {
                    throw Malformed(line: 0, reason: "a bucket of \(family) without a valid le")
                }
                var rest = sample.labels
                rest["le"] = nil
                groups[rest, default: []].append((le, sample.value))
            }
            for (labels, buckets) in groups {
                let sorted = buckets.sorted { $0.0 < $1.0 }
                for (lower, upper) in zip(sorted, sorted.dropFirst()) where upper.1 < lower.1 {
                    throw Malformed(line: 0, reason: "buckets of \(family)\(labels) are not cumulative")
                }
                guard let last = sorted.last, last.0 == .infinity else {
                    throw Malformed(line: 0, reason: "\(family)\(labels) has no +Inf bucket")
                }
                guard self.value(family + "_count", labels) == last.1 else {
                    throw Malformed(line: 0, reason: "\(family)\(labels): _count differs from the +Inf bucket")
                }
                guard self.value(family + "_sum", labels) != nil else {
                    throw Malformed(line: 0, reason: "\(family)\(labels) has no _sum")
                }
            }
        }
    }

    static func isMetricName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    /// `name{label="value",...} value [timestamp]`.
    private static func sample(_ line: String, line number: Int) throws -> Sample {
        func fail(_ reason: String) -> Malformed { Malformed(line: number, reason: "\(reason): \(line)") }
        var rest = Substring(line)
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard self.isMetricName(name) else { throw fail("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels = [String: String]()
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                guard self.isLabelName(label), labels[String(label)] == nil else { throw fail("bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("a label value must be quoted") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.first else { throw fail("an unterminated label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        guard let escaped = rest.first else { throw fail("an unterminated escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("a bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[String(label)] = value
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw fail("labels must be separated by commas")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count), let value = self.number(String(fields[0])) else {
            throw fail("a bad value")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("a bad timestamp") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
