import Foundation

/// The Prometheus client libraries' standard `process_*` metrics, read from `/proc` at scrape time (nothing
/// is sampled in between): CPU, memory, file descriptors and start time, so the usual dashboards and alerts
/// (file-descriptor exhaustion, memory growth) work unchanged. Off Linux only the start time (when the
/// metrics were created) is exported.
enum ProcessMetrics {
    static func render(into text: inout PrometheusText, startTime: Date) {
        var processStart = startTime.timeIntervalSince1970
        #if os(Linux)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")")
        {
            // Fields after "(comm)": state is field 3; utime 14, stime 15, vsize 23, rss 24 (1-based, proc(5)).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15), ticks > 0 {
                text.family("process_cpu_seconds_total", type: .counter, help: "Total user and system CPU time spent in seconds.")
                text.sample("process_cpu_seconds_total", labels: [:], value: format((user + system) / ticks))
            }
            if let virtual = field(23) {
                text.family("process_virtual_memory_bytes", type: .gauge, help: "Virtual memory size in bytes.")
                text.sample("process_virtual_memory_bytes", labels: [:], value: format(virtual))
            }
            if let started = field(22), ticks > 0, let boot = bootTime() {
                processStart = boot + started / ticks
            }
            if let resident = field(24) {
                text.family("process_resident_memory_bytes", type: .gauge, help: "Resident memory size in bytes.")
                text.sample("process_resident_memory_bytes", labels: [:], value: format(resident * pageSize))
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            text.family("process_open_fds", type: .gauge, help: "Number of open file descriptors.")
            text.sample("process_open_fds", labels: [:], value: String(descriptors.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            text.family("process_max_fds", type: .gauge, help: "Maximum number of open file descriptors.")
            text.sample("process_max_fds", labels: [:], value: String(limit.rlim_cur))
        }
        #endif
        text.family("process_start_time_seconds", type: .gauge, help: "Start time of the process since unix epoch in seconds.")
        text.sample("process_start_time_seconds", labels: [:], value: String(Int(processStart)))
    }

    /// The `btime` line of /proc/stat: when the system booted (Unix time), the origin of a process's start ticks.
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
