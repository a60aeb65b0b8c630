/// One role of the staffing vocabulary: its canonical name (what rosters and playbooks store), the
/// other ways coordinators say it, and the certification a worker needs to be placed in it.
public struct RoleDefinition: Sendable, Hashable {
    public let name: String
    /// Lower-case synonyms and abbreviations, singular; plurals are derived by the extractor.
    public let synonyms: [String]
    /// Certification id (as in `Worker.certifications` and truthd's `certification.<id>`), if the role needs one.
    public let certification: String?
    /// Skills the generator draws from for workers of this role.
    public let skills: [String]

    public init(name: String, synonyms: [String], certification: String?, skills: [String]) {
        self.name = name
        self.synonyms = synonyms
        self.certification = certification
        self.skills = skills
    }
}

/// The role vocabulary of SPEC §5 (~30 roles). One list, used by the generator (what roles exist),
/// matrixd's extractor (synonyms), validatord (`certification_unverified`) and the drafter.
public enum RoleVocabulary {
    public static let all: [RoleDefinition] = [
        RoleDefinition(name: "forklift operator", synonyms: ["forklift driver", "fork lift operator", "forklift op", "hi-lo driver", "lift truck operator"],
                       certification: "forklift", skills: ["reach truck", "pallet jack", "inventory", "loading dock", "order picking"]),
        RoleDefinition(name: "warehouse associate", synonyms: ["warehouse worker", "warehouse associate", "warehouse hand"],
                       certification: nil, skills: ["inventory", "packing", "shipping", "rf scanner", "loading dock"]),
        RoleDefinition(name: "order picker", synonyms: ["picker", "picker packer", "pick packer", "order selector"],
                       certification: nil, skills: ["rf scanner", "order picking", "packing", "pallet jack"]),
        RoleDefinition(name: "shipping clerk", synonyms: ["shipping and receiving clerk", "receiving clerk", "shipping receiving clerk"],
                       certification: nil, skills: ["bills of lading", "inventory", "rf scanner", "data entry"]),
        RoleDefinition(name: "material handler", synonyms: ["materials handler", "material handling associate"],
                       certification: nil, skills: ["pallet jack", "loading dock", "inventory", "lifting 50 lb"]),
        RoleDefinition(name: "machine operator", synonyms: ["production operator", "press operator"],
                       certification: nil, skills: ["press brake", "injection molding", "quality checks", "lockout tagout"]),
        RoleDefinition(name: "cnc machinist", synonyms: ["cnc operator", "machinist"],
                       certification: nil, skills: ["g-code", "blueprint reading", "calipers", "lathe", "mill"]),
        RoleDefinition(name: "welder", synonyms: ["mig welder", "tig welder", "welder fabricator"],
                       certification: "aws-d1.1", skills: ["mig", "tig", "stick", "blueprint reading", "fabrication"]),
        RoleDefinition(name: "assembler", synonyms: ["assembly line worker", "assembly worker", "production assembler"],
                       certification: nil, skills: ["hand tools", "quality checks", "electronics assembly", "line work"]),
        RoleDefinition(name: "quality inspector", synonyms: ["qc inspector", "quality control inspector", "qa inspector"],
                       certification: nil, skills: ["calipers", "blueprint reading", "spc", "documentation"]),
        RoleDefinition(name: "maintenance technician", synonyms: ["maintenance tech", "industrial maintenance technician", "maintenance mechanic"],
                       certification: nil, skills: ["plc", "hydraulics", "pneumatics", "preventive maintenance", "welding"]),
        RoleDefinition(name: "electrician", synonyms: ["journeyman electrician", "industrial electrician"],
                       certification: "electrical-license", skills: ["conduit", "wiring", "plc", "troubleshooting", "nec code"]),
        RoleDefinition(name: "cdl driver", synonyms: ["cdl-a driver", "cdl a driver", "class a driver", "truck driver", "tractor trailer driver", "otr driver"],
                       certification: "cdl-a", skills: ["dry van", "reefer", "flatbed", "eld logs", "pre-trip inspection"]),
        RoleDefinition(name: "delivery driver", synonyms: ["courier", "van driver", "box truck driver"],
                       certification: nil, skills: ["route planning", "customer service", "box truck", "handheld scanner"]),
        RoleDefinition(name: "janitor", synonyms: ["custodian", "cleaner", "janitorial worker"],
                       certification: nil, skills: ["floor care", "sanitation", "trash removal", "restroom cleaning"]),
        RoleDefinition(name: "housekeeper", synonyms: ["room attendant", "housekeeping attendant"],
                       certification: nil, skills: ["room turnover", "laundry", "sanitation", "guest service"]),
        RoleDefinition(name: "line cook", synonyms: ["cook", "prep cook", "short order cook"],
                       certification: nil, skills: ["grill", "saute", "food prep", "food safety"]),
        RoleDefinition(name: "dishwasher", synonyms: ["dish washer", "dishroom attendant", "steward"],
                       certification: nil, skills: ["dish machine", "sanitation", "food safety"]),
        RoleDefinition(name: "server", synonyms: ["waiter", "waitress", "banquet server"],
                       certification: nil, skills: ["pos systems", "table service", "banquets", "customer service"]),
        RoleDefinition(name: "cashier", synonyms: ["checkout clerk", "cashier clerk"],
                       certification: nil, skills: ["pos systems", "cash handling", "customer service"]),
        RoleDefinition(name: "retail associate", synonyms: ["sales associate", "retail sales associate", "stock associate"],
                       certification: nil, skills: ["merchandising", "pos systems", "customer service", "stocking"]),
        RoleDefinition(name: "customer service representative", synonyms: ["csr", "call center agent", "customer service rep", "customer support agent"],
                       certification: nil, skills: ["crm", "phone support", "data entry", "de-escalation"]),
        RoleDefinition(name: "receptionist", synonyms: ["front desk agent", "front desk clerk"],
                       certification: nil, skills: ["phones", "scheduling", "data entry", "customer service"]),
        RoleDefinition(name: "data entry clerk", synonyms: ["data entry operator", "data entry specialist"],
                       certification: nil, skills: ["10-key", "excel", "typing", "accuracy"]),
        RoleDefinition(name: "administrative assistant", synonyms: ["admin assistant", "office assistant", "secretary"],
                       certification: nil, skills: ["excel", "scheduling", "word processing", "filing"]),
        RoleDefinition(name: "registered nurse", synonyms: ["rn", "nurse", "staff nurse"],
                       certification: "rn-license", skills: ["patient care", "medication administration", "charting", "icu", "telemetry"]),
        RoleDefinition(name: "certified nursing assistant", synonyms: ["cna", "nursing assistant", "nurse aide"],
                       certification: "cna", skills: ["patient care", "vital signs", "bathing", "charting"]),
        RoleDefinition(name: "medical assistant", synonyms: ["ma", "clinical assistant"],
                       certification: nil, skills: ["vital signs", "phlebotomy", "ehr", "scheduling"]),
        RoleDefinition(name: "pharmacy technician", synonyms: ["pharmacy tech", "cpht"],
                       certification: "ptcb", skills: ["prescription filling", "inventory", "insurance billing"]),
        RoleDefinition(name: "security guard", synonyms: ["security officer", "guard", "loss prevention officer"],
                       certification: "guard-card", skills: ["patrol", "access control", "cctv", "incident reports"]),
        RoleDefinition(name: "general laborer", synonyms: ["laborer", "construction laborer", "day laborer"],
                       certification: nil, skills: ["demolition", "site cleanup", "lifting 50 lb", "power tools"]),
        RoleDefinition(name: "carpenter", synonyms: ["framer", "finish carpenter"],
                       certification: nil, skills: ["framing", "finish work", "blueprint reading", "power tools"]),
        RoleDefinition(name: "painter", synonyms: ["commercial painter", "industrial painter"],
                       certification: nil, skills: ["spray rig", "surface prep", "drywall repair"]),
        RoleDefinition(name: "hvac technician", synonyms: ["hvac tech", "hvac installer", "hvac mechanic"],
                       certification: "epa-608", skills: ["refrigerant handling", "ductwork", "troubleshooting", "boilers"]),
        RoleDefinition(name: "landscaper", synonyms: ["groundskeeper", "landscape laborer", "lawn care technician"],
                       certification: nil, skills: ["mowing", "irrigation", "hardscape", "snow removal"]),
    ]

    private static let byName: [String: RoleDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The definition of a canonical role name (exact, lower-case), or nil.
    public static func definition(named name: String) -> RoleDefinition? { byName[name] }

    /// Certification the role needs, if any.
    public static func certification(for role: String) -> String? { byName[role]?.certification }

    /// Every canonical role name, in vocabulary order.
    public static var names: [String] { all.map(\.name) }
}
