import AsyncHTTPClient
import Foundation
import TrustGateJOSE

/// The current keys of one issuer, from the configured `KeySource`.
///
/// - file: re-read whenever its modification time, size or inode changes (checked on each lookup; lookups only
///   happen for tokens not already in the verified-token cache).
/// - inline: parsed once.
/// - url: fetched on first use, kept for `refreshInterval`, fetched again when a token names a `kid` the set
///   lacks — but never more than once per `minimumRefetchInterval` (counting every fetch attempt), so tokens with
///   made-up key ids cannot turn the gateway into a load generator against the issuer. Concurrent callers share
///   one fetch. A failed fetch keeps the last good keys.
///
/// Time is the caller's `now`, so the validator's clock (and tests' injected clock) drives expiry and rate limits.
actor JWKSKeyProvider {
    private enum Source {
        case fixed(Result<[JSONWebKey], JWKSLoadError>)
        case file(path: String)
        case remote(Result<JWKSDownloader, JWKSLoadError>)
    }

    private struct FileStamp: Equatable {
        let modified: Date?
        let size: Int?
        let inode: Int?
    }

    private let source: Source
    private let refreshInterval: TimeInterval
    private let minimumRefetchInterval: TimeInterval

    private var keys: [JSONWebKey]?
    private var loadedAt: Date?
    private var lastAttempt: Date?
    private var fileStamp: FileStamp?
    private var inFlight: Task<[JSONWebKey]?, Never>?
    /// The reason the last load failed (nil after a success), for diagnostics.
    private(set) var lastError: JWKSLoadError?
    /// Completed fetches or reads, for diagnostics and tests.
    private(set) var loadCount = 0

    init(settings: JWTIssuerSettings, httpClient: HTTPClient? = nil) {
        switch settings.keySource {
        case .inline(let json):
            source = .fixed(JWKSDocument.keys(from: Array(json.utf8)))
        case .file(let path):
            source = .file(path: path)
        case .url(let url, let trustRoots):
            source = .remote(Result { () throws(JWKSLoadError) in try JWKSDownloader(url: url, trustRoots: trustRoots, client: httpClient) })
        }
        refreshInterval = max(settings.refreshInterval, 1)
        minimumRefetchInterval = max(settings.minimumRefetchInterval, 0)
    }

    /// The keys to verify with now; nil when none could ever be loaded.
    func currentKeys(now: Date) async -> [JSONWebKey]? {
        switch source {
        case .fixed(let result):
            if case .failure(let error) = result { lastError = error }
            return try? result.get()
        case .file(let path):
            reloadFileIfChanged(path)
            return keys
        case .remote(let downloader):
            guard case .success(let downloader) = downloader else {
                if case .failure(let error) = downloader { lastError = error }
                return nil
            }
            if let inFlight { return await inFlight.value }
            if let loadedAt, keys != nil, now.timeIntervalSince(loadedAt) < refreshInterval { return keys }
            guard mayFetch(now: now) else { return keys }
            return await fetch(with: downloader, now: now)
        }
    }

    /// After a token named a `kid` the current set lacks: fetch again if the rate limit allows, and return the
    /// new set; nil when no new fetch was made (the caller then rejects the token).
    func keysAfterUnknownKeyID(now: Date) async -> [JSONWebKey]? {
        guard case .remote(.success(let downloader)) = source else { return nil }
        if let inFlight { return await inFlight.value }
        guard mayFetch(now: now) else { return nil }
        return await fetch(with: downloader, now: now)
    }

    private func mayFetch(now: Date) -> Bool {
        guard let lastAttempt else { return true }
        return now.timeIntervalSince(lastAttempt) >= minimumRefetchInterval || now < lastAttempt
    }

    private func fetch(with downloader: JWKSDownloader, now: Date) async -> [JSONWebKey]? {
        lastAttempt = now
        let task = Task { await self.performFetch(with: downloader, now: now) }
        inFlight = task
        return await task.value
    }

    private func performFetch(with downloader: JWKSDownloader, now: Date) async -> [JSONWebKey]? {
        defer { inFlight = nil }
        let result = await downloader.download()
        loadCount += 1
        switch result {
        case .success(let fresh):
            keys = fresh
            loadedAt = now
            lastError = nil
        case .failure(let error):
            lastError = error
        }
        return keys
    }

    private func reloadFileIfChanged(_ path: String) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = FileStamp(
            modified: attributes?[.modificationDate] as? Date,
            size: (attributes?[.size] as? NSNumber)?.intValue,
            inode: (attributes?[.systemFileNumber] as? NSNumber)?.intValue)
        guard stamp != fileStamp || keys == nil else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            lastError = .unreadableFile(path)
            return
        }
        loadCount += 1
        switch JWKSDocument.keys(from: Array(data)) {
        case .success(let fresh):
            keys = fresh
            fileStamp = stamp
            lastError = nil
        case .failure(let error):
            // Keep serving the previous keys; a half-written file must not lock every client out.
            lastError = error
        }
    }
}
