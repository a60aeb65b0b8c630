import LakehouseKit
import Testing
@testable import MatrixService

/// The extraction table: coordinators' sentences with plurals, synonyms, abbreviations, missing
/// counts and shifts, lower-case states; each with every field it must yield.
@Suite struct RequestUnderstandingTests {
    struct Row: Sendable, CustomStringConvertible {
        let text: String
        let count: Int?
        let role: String?
        let city: String?
        let state: String?
        let shift: String?
        let day: String?
        var description: String { text }
    }

    static let table: [Row] = [
        Row(text: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift", count: 3, role: "forklift operator", city: "Toledo", state: "OH", shift: "2nd", day: "mon"),
        Row(text: "need 2 forklift drivers in toledo, oh tuesday", count: 2, role: "forklift operator", city: "Toledo", state: "OH", shift: nil, day: "tue"),
        Row(text: "Looking for 5 CDL-A drivers out of Columbus, OH", count: 5, role: "cdl driver", city: "Columbus", state: "OH", shift: nil, day: nil),
        Row(text: "We need 4 RNs in Cleveland OH for night shift", count: 4, role: "registered nurse", city: "Cleveland", state: "OH", shift: "3rd", day: nil),
        Row(text: "2 CNAs Dayton, Ohio, first shift, Wednesday", count: 2, role: "certified nursing assistant", city: "Dayton", state: "OH", shift: "1st", day: "wed"),
        Row(text: "Need a welder in Detroit, MI", count: nil, role: "welder", city: "Detroit", state: "MI", shift: nil, day: nil),
        Row(text: "10 warehouse workers Indianapolis IN 3rd shift friday", count: 10, role: "warehouse associate", city: "Indianapolis", state: "IN", shift: "3rd", day: "fri"),
        Row(text: "Can you send six pickers to Chicago, IL on Saturday?", count: 6, role: "order picker", city: "Chicago", state: "IL", shift: nil, day: "sat"),
        Row(text: "three truck drivers for Pittsburgh, PA, 2nd shift", count: 3, role: "cdl driver", city: "Pittsburgh", state: "PA", shift: "2nd", day: nil),
        Row(text: "Need 1 electrician in Buffalo, NY Thursday", count: 1, role: "electrician", city: "Buffalo", state: "NY", shift: nil, day: "thu"),
        Row(text: "8 line cooks needed in Nashville, TN for Sunday", count: 8, role: "line cook", city: "Nashville", state: "TN", shift: nil, day: "sun"),
        Row(text: "need 2 dishwashers memphis tn", count: 2, role: "dishwasher", city: "Memphis", state: "TN", shift: nil, day: nil),
        Row(text: "Staff 4 security guards at Atlanta, GA overnight", count: 4, role: "security guard", city: "Atlanta", state: "GA", shift: "3rd", day: nil),
        Row(text: "Need 12 general laborers in Dallas, TX Monday through Friday", count: 12, role: "general laborer", city: "Dallas", state: "TX", shift: nil, day: "mon"),
        Row(text: "two hvac techs in Houston, tx", count: 2, role: "hvac technician", city: "Houston", state: "TX", shift: nil, day: nil),
        Row(text: "Need CNC machinists in San Antonio, TX 2nd shift", count: nil, role: "cnc machinist", city: "San Antonio", state: "TX", shift: "2nd", day: nil),
        Row(text: "5 material handlers Fort Worth TX", count: 5, role: "material handler", city: "Fort Worth", state: "TX", shift: nil, day: nil),
        Row(text: "Need 3 assemblers in Grand Rapids, MI for swing shift", count: 3, role: "assembler", city: "Grand Rapids", state: "MI", shift: "2nd", day: nil),
        Row(text: "1 receptionist Lansing, MI monday", count: 1, role: "receptionist", city: "Lansing", state: "MI", shift: nil, day: "mon"),
        Row(text: "Need 2 QC inspectors in Akron, OH day shift", count: 2, role: "quality inspector", city: "Akron", state: "OH", shift: "1st", day: nil),
        Row(text: "4 maintenance techs cincinnati, oh 3rd shift", count: 4, role: "maintenance technician", city: "Cincinnati", state: "OH", shift: "3rd", day: nil),
        Row(text: "We are short 7 cashiers in Phoenix, AZ this Saturday", count: 7, role: "cashier", city: "Phoenix", state: "AZ", shift: nil, day: "sat"),
        Row(text: "Need 3 sales associates Tucson AZ", count: 3, role: "retail associate", city: "Tucson", state: "AZ", shift: nil, day: nil),
        Row(text: "Need 15 CSRs for the Las Vegas, NV call center, second shift", count: 15, role: "customer service representative", city: "Las Vegas", state: "NV", shift: "2nd", day: nil),
        Row(text: "2 data entry clerks in Seattle, WA", count: 2, role: "data entry clerk", city: "Seattle", state: "WA", shift: nil, day: nil),
        Row(text: "admin assistant needed Portland, OR, Tuesday", count: nil, role: "administrative assistant", city: "Portland", state: "OR", shift: nil, day: "tue"),
        Row(text: "Need 2 medical assistants in Denver, CO", count: 2, role: "medical assistant", city: "Denver", state: "CO", shift: nil, day: nil),
        Row(text: "3 pharmacy techs Kansas City, MO weekend sat", count: 3, role: "pharmacy technician", city: "Kansas City", state: "MO", shift: nil, day: "sat"),
        Row(text: "Need 6 janitors in St. Louis, MO 3rd shift", count: 6, role: "janitor", city: "St. Louis", state: "MO", shift: "3rd", day: nil),
        Row(text: "Need 4 housekeepers Charlotte, NC Friday", count: 4, role: "housekeeper", city: "Charlotte", state: "NC", shift: nil, day: "fri"),
        Row(text: "Need 5 servers for a banquet in Raleigh, NC on Saturday", count: 5, role: "server", city: "Raleigh", state: "NC", shift: nil, day: "sat"),
        Row(text: "nurse aides x3 jacksonville fl", count: nil, role: "certified nursing assistant", city: "Jacksonville", state: "FL", shift: nil, day: nil),
        Row(text: "Need 2 carpenters Orlando, FL", count: 2, role: "carpenter", city: "Orlando", state: "FL", shift: nil, day: nil),
        Row(text: "Need 3 painters in Tampa FL 1st shift", count: 3, role: "painter", city: "Tampa", state: "FL", shift: "1st", day: nil),
        Row(text: "4 landscapers Miami, FL monday", count: 4, role: "landscaper", city: "Miami", state: "FL", shift: nil, day: "mon"),
        Row(text: "Need 2 delivery drivers in Milwaukee, WI", count: 2, role: "delivery driver", city: "Milwaukee", state: "WI", shift: nil, day: nil),
        Row(text: "Need 9 hi-lo drivers in Minneapolis, MN, 2nd shift Thursday", count: 9, role: "forklift operator", city: "Minneapolis", state: "MN", shift: "2nd", day: "thu"),
        Row(text: "Need 2 shipping clerks Newark, NJ", count: 2, role: "shipping clerk", city: "Newark", state: "NJ", shift: nil, day: nil),
        Row(text: "Need 3 machine operators Birmingham, AL 3rd shift", count: 3, role: "machine operator", city: "Birmingham", state: "AL", shift: "3rd", day: nil),
        Row(text: "Need 2 custodians in Columbia, SC", count: 2, role: "janitor", city: "Columbia", state: "SC", shift: nil, day: nil),
        Row(text: "forklift operator needed asap", count: nil, role: "forklift operator", city: nil, state: nil, shift: nil, day: nil),
        Row(text: "Need 20 order selectors in Ohio for Wednesday night shift", count: 20, role: "order picker", city: nil, state: "OH", shift: "3rd", day: "wed"),
        Row(text: "Need 3 forklift operators in Springfield, IL", count: 3, role: "forklift operator", city: "Springfield", state: "IL", shift: nil, day: nil),
        Row(text: "Need 2 nurses at 7 am in Louisville, KY", count: 2, role: "registered nurse", city: "Louisville", state: "KY", shift: nil, day: nil),
        Row(text: "Need 2 welders, $25/hr, in Erie PA", count: 2, role: "welder", city: "Erie", state: "PA", shift: nil, day: nil),
        Row(text: "Need 4 people for inventory counting in Albany, NY", count: 4, role: nil, city: "Albany", state: "NY", shift: nil, day: nil),
        Row(text: "Need a medical assistant in Boston, MA", count: nil, role: "medical assistant", city: "Boston", state: "MA", shift: nil, day: nil),
    ]

    @Test func tableHasAtLeastFortySentences() {
        #expect(Self.table.count >= 40)
    }

    @Test(arguments: table) func sentenceYieldsEveryField(_ row: Row) {
        let role = RoleExtractor().match(row.text)?.role
        let parsed = RequestParser().parse(row.text)
        #expect(role == row.role, "role")
        #expect(parsed.count == row.count, "count")
        #expect(parsed.city == row.city, "city")
        #expect(parsed.state == row.state, "state")
        #expect(parsed.shift == row.shift, "shift")
        #expect(parsed.day == row.day, "day")
    }

    @Test func longestPhraseWins() {
        #expect(RoleExtractor().match("need a nurse aide")?.role == "certified nursing assistant")
        #expect(RoleExtractor().match("box truck driver needed")?.role == "delivery driver")
        #expect(RoleExtractor().match("truck driver needed")?.role == "cdl driver")
    }

    @Test func canonicalNamesAreMoreConfidentThanAbbreviations() throws {
        let name = try #require(RoleExtractor().match("registered nurses"))
        let abbreviation = try #require(RoleExtractor().match("RNs"))
        #expect(name.confidence > abbreviation.confidence)
        #expect(name.role == abbreviation.role)
    }

    @Test func everyRoleIsFoundByItsNameAndPlural() {
        for role in RoleVocabulary.all {
            #expect(RoleExtractor().match("need " + role.name)?.role == role.name)
            #expect(RoleExtractor().match("need 3 " + RoleNames.plural(role.name) + " today")?.role == role.name)
        }
    }

    @Test func withChatdDownUnknownRolesGiveMethodNone() async {
        // Nothing listens on the chatd address: the fallback finds it down and answers "none".
        let peers = PeerClient(client: HTTPClient(), addresses: [.chatd: try! SocketAddress(parsing: "127.0.0.1:1")], serviceToken: nil)
        let understanding = RequestUnderstanding(calls: PeerCalls(peers: peers), config: MatrixConfig())
        let unknown = await understanding.extractRole("Need 4 people for inventory counting", requestID: nil)
        #expect(unknown == RoleExtraction(role: nil, method: "none", confidence: 0))
        let known = await understanding.extractRole("Need 4 welders", requestID: nil)
        #expect(known.method == "regex" && known.role == "welder")
        let understood = await understanding.understand("Need 3 forklift operators in Toledo, OH for Monday 2nd shift", requestID: nil)
        #expect(understood == UnderstoodRequest(text: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift", count: 3, role: "forklift operator",
                                                 roleMethod: "regex", confidence: 0.95, city: "Toledo", state: "OH", shift: "2nd", day: "mon"))
    }
}
