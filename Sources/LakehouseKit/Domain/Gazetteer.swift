import Foundation

/// A city the generator places workers in and request understanding recognises, with its real
/// coordinates (WGS 84 degrees, city centre).
public struct City: Sendable, Hashable {
    public let name: String
    /// USPS two-letter state code.
    public let state: String
    public let lat: Double
    public let lon: Double

    public init(name: String, state: String, lat: Double, lon: Double) {
        self.name = name
        self.state = state
        self.lat = lat
        self.lon = lon
    }
}

/// Cities across many states (SPEC §5), and distances between places. Shared by the generator,
/// matrixd's geography ranking and validatord's `geo_mismatch` radius.
public enum Gazetteer {
    public static let cities: [City] = [
        City(name: "Toledo", state: "OH", lat: 41.6528, lon: -83.5379), City(name: "Columbus", state: "OH", lat: 39.9612, lon: -82.9988),
        City(name: "Cleveland", state: "OH", lat: 41.4993, lon: -81.6944), City(name: "Cincinnati", state: "OH", lat: 39.1031, lon: -84.5120),
        City(name: "Dayton", state: "OH", lat: 39.7589, lon: -84.1916), City(name: "Akron", state: "OH", lat: 41.0814, lon: -81.5190),
        City(name: "Detroit", state: "MI", lat: 42.3314, lon: -83.0458), City(name: "Grand Rapids", state: "MI", lat: 42.9634, lon: -85.6681),
        City(name: "Lansing", state: "MI", lat: 42.7325, lon: -84.5555), City(name: "Ann Arbor", state: "MI", lat: 42.2808, lon: -83.7430),
        City(name: "Indianapolis", state: "IN", lat: 39.7684, lon: -86.1581), City(name: "Fort Wayne", state: "IN", lat: 41.0793, lon: -85.1394),
        City(name: "Chicago", state: "IL", lat: 41.8781, lon: -87.6298), City(name: "Joliet", state: "IL", lat: 41.5250, lon: -88.0817),
        City(name: "Rockford", state: "IL", lat: 42.2711, lon: -89.0940), City(name: "Peoria", state: "IL", lat: 40.6936, lon: -89.5890),
        City(name: "Pittsburgh", state: "PA", lat: 40.4406, lon: -79.9959), City(name: "Philadelphia", state: "PA", lat: 39.9526, lon: -75.1652),
        City(name: "Allentown", state: "PA", lat: 40.6084, lon: -75.4902), City(name: "Erie", state: "PA", lat: 42.1292, lon: -80.0851),
        City(name: "Buffalo", state: "NY", lat: 42.8864, lon: -78.8784), City(name: "Rochester", state: "NY", lat: 43.1566, lon: -77.6088),
        City(name: "Syracuse", state: "NY", lat: 43.0481, lon: -76.1474), City(name: "Albany", state: "NY", lat: 42.6526, lon: -73.7562),
        City(name: "Louisville", state: "KY", lat: 38.2527, lon: -85.7585), City(name: "Lexington", state: "KY", lat: 38.0406, lon: -84.5037),
        City(name: "Nashville", state: "TN", lat: 36.1627, lon: -86.7816), City(name: "Memphis", state: "TN", lat: 35.1495, lon: -90.0490),
        City(name: "Knoxville", state: "TN", lat: 35.9606, lon: -83.9207), City(name: "Atlanta", state: "GA", lat: 33.7490, lon: -84.3880),
        City(name: "Savannah", state: "GA", lat: 32.0809, lon: -81.0912), City(name: "Dallas", state: "TX", lat: 32.7767, lon: -96.7970),
        City(name: "Houston", state: "TX", lat: 29.7604, lon: -95.3698), City(name: "San Antonio", state: "TX", lat: 29.4241, lon: -98.4936),
        City(name: "Austin", state: "TX", lat: 30.2672, lon: -97.7431), City(name: "El Paso", state: "TX", lat: 31.7619, lon: -106.4850),
        City(name: "Fort Worth", state: "TX", lat: 32.7555, lon: -97.3308), City(name: "Los Angeles", state: "CA", lat: 34.0522, lon: -118.2437),
        City(name: "Fresno", state: "CA", lat: 36.7378, lon: -119.7871), City(name: "Sacramento", state: "CA", lat: 38.5816, lon: -121.4944),
        City(name: "San Diego", state: "CA", lat: 32.7157, lon: -117.1611), City(name: "Ontario", state: "CA", lat: 34.0633, lon: -117.6509),
        City(name: "Phoenix", state: "AZ", lat: 33.4484, lon: -112.0740), City(name: "Tucson", state: "AZ", lat: 32.2226, lon: -110.9747),
        City(name: "Las Vegas", state: "NV", lat: 36.1699, lon: -115.1398), City(name: "Reno", state: "NV", lat: 39.5296, lon: -119.8138),
        City(name: "Seattle", state: "WA", lat: 47.6062, lon: -122.3321), City(name: "Spokane", state: "WA", lat: 47.6588, lon: -117.4260),
        City(name: "Tacoma", state: "WA", lat: 47.2529, lon: -122.4443), City(name: "Portland", state: "OR", lat: 45.5152, lon: -122.6784),
        City(name: "Denver", state: "CO", lat: 39.7392, lon: -104.9903), City(name: "Colorado Springs", state: "CO", lat: 38.8339, lon: -104.8214),
        City(name: "Kansas City", state: "MO", lat: 39.0997, lon: -94.5786), City(name: "St. Louis", state: "MO", lat: 38.6270, lon: -90.1994),
        City(name: "Charlotte", state: "NC", lat: 35.2271, lon: -80.8431), City(name: "Raleigh", state: "NC", lat: 35.7796, lon: -78.6382),
        City(name: "Greensboro", state: "NC", lat: 36.0726, lon: -79.7920), City(name: "Jacksonville", state: "FL", lat: 30.3322, lon: -81.6557),
        City(name: "Orlando", state: "FL", lat: 28.5383, lon: -81.3792), City(name: "Tampa", state: "FL", lat: 27.9506, lon: -82.4572),
        City(name: "Miami", state: "FL", lat: 25.7617, lon: -80.1918), City(name: "Milwaukee", state: "WI", lat: 43.0389, lon: -87.9065),
        City(name: "Madison", state: "WI", lat: 43.0731, lon: -89.4012), City(name: "Minneapolis", state: "MN", lat: 44.9778, lon: -93.2650),
        City(name: "Newark", state: "NJ", lat: 40.7357, lon: -74.1724), City(name: "Birmingham", state: "AL", lat: 33.5186, lon: -86.8104),
        City(name: "Columbia", state: "SC", lat: 34.0007, lon: -81.0348),
    ]

    private static let byKey: [String: City] = Dictionary(uniqueKeysWithValues: cities.map { (key($0.name, $0.state), $0) })

    private static func key(_ name: String, _ state: String) -> String { name.lowercased() + "|" + state.uppercased() }

    /// The city of that name in that state (case-insensitive), or nil.
    public static func city(named name: String, state: String) -> City? { byKey[key(name, state)] }

    /// Every state code that has at least one city, sorted.
    public static var states: [String] { Array(Set(cities.map(\.state))).sorted() }

    /// Great-circle distance in statute miles (haversine, mean Earth radius 3,958.8 mi).
    public static func distanceMiles(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let radians = Double.pi / 180
        let dLat = (lat2 - lat1) * radians
        let dLon = (lon2 - lon1) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * radians) * cos(lat2 * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 3958.8 * asin(min(1, a.squareRoot()))
    }
}
