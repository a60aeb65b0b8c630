/// The generator's fixed tables: names, how common each role and city is, pay, area codes.
extension RosterGenerator {
    /// Role weights: warehouse and production work dominate a staffing roster, and forklift
    /// operators are common enough that every Ohio city has plenty of them.
    static let roleWeights: [String: Double] = [
        "forklift operator": 14, "warehouse associate": 10, "order picker": 6, "shipping clerk": 3, "material handler": 5,
        "machine operator": 5, "cnc machinist": 2, "welder": 3, "assembler": 5, "quality inspector": 2,
        "maintenance technician": 2, "electrician": 1.5, "cdl driver": 5, "delivery driver": 3, "janitor": 3,
        "housekeeper": 2.5, "line cook": 2.5, "dishwasher": 2, "server": 2, "cashier": 2.5, "retail associate": 2.5,
        "customer service representative": 3, "receptionist": 1.5, "data entry clerk": 2, "administrative assistant": 2,
        "registered nurse": 3, "certified nursing assistant": 3, "medical assistant": 2, "pharmacy technician": 1.5,
        "security guard": 2.5, "general laborer": 6, "carpenter": 1.5, "painter": 1.5, "hvac technician": 1.5, "landscaper": 2,
    ]

    static let roleTable = WeightedTable(RoleVocabulary.all.map { ($0, roleWeights[$0.name] ?? 1) })

    /// Ohio (the demo's home) weighs three times as much as any other state's cities.
    static let cityTable = WeightedTable(Gazetteer.cities.map { ($0, $0.state == "OH" ? 3.0 : 1.0) })

    /// Hourly base pay by role (US dollars); a worker's rate is 85–125 % of it, in quarter dollars.
    static let basePay: [String: Double] = [
        "forklift operator": 19, "warehouse associate": 17, "order picker": 17, "shipping clerk": 18, "material handler": 17.5,
        "machine operator": 19, "cnc machinist": 25, "welder": 24, "assembler": 17, "quality inspector": 21,
        "maintenance technician": 27, "electrician": 32, "cdl driver": 28, "delivery driver": 19, "janitor": 15,
        "housekeeper": 15, "line cook": 17, "dishwasher": 14, "server": 13, "cashier": 14, "retail associate": 15,
        "customer service representative": 18, "receptionist": 17, "data entry clerk": 17, "administrative assistant": 20,
        "registered nurse": 42, "certified nursing assistant": 19, "medical assistant": 20, "pharmacy technician": 19,
        "security guard": 18, "general laborer": 17, "carpenter": 26, "painter": 22, "hvac technician": 29, "landscaper": 16,
    ]

    /// Roles whose workers sometimes also hold OSHA-10.
    static let osha10Roles: Set<String> = [
        "forklift operator", "warehouse associate", "material handler", "machine operator", "welder", "general laborer",
        "carpenter", "painter", "maintenance technician", "electrician", "hvac technician",
    ]

    /// A real area code of each city (the exchange is always the fictional 555).
    static let areaCodes: [String: String] = [
        "Toledo|OH": "419", "Columbus|OH": "614", "Cleveland|OH": "216", "Cincinnati|OH": "513", "Dayton|OH": "937", "Akron|OH": "330",
        "Detroit|MI": "313", "Grand Rapids|MI": "616", "Lansing|MI": "517", "Ann Arbor|MI": "734", "Indianapolis|IN": "317",
        "Fort Wayne|IN": "260", "Chicago|IL": "312", "Joliet|IL": "815", "Rockford|IL": "815", "Peoria|IL": "309",
        "Pittsburgh|PA": "412", "Philadelphia|PA": "215", "Allentown|PA": "610", "Erie|PA": "814", "Buffalo|NY": "716",
        "Rochester|NY": "585", "Syracuse|NY": "315", "Albany|NY": "518", "Louisville|KY": "502", "Lexington|KY": "859",
        "Nashville|TN": "615", "Memphis|TN": "901", "Knoxville|TN": "865", "Atlanta|GA": "404", "Savannah|GA": "912",
        "Dallas|TX": "214", "Houston|TX": "713", "San Antonio|TX": "210", "Austin|TX": "512", "El Paso|TX": "915",
        "Fort Worth|TX": "817", "Los Angeles|CA": "213", "Fresno|CA": "559", "Sacramento|CA": "916", "San Diego|CA": "619",
        "Ontario|CA": "909", "Phoenix|AZ": "602", "Tucson|AZ": "520", "Las Vegas|NV": "702", "Reno|NV": "775",
        "Seattle|WA": "206", "Spokane|WA": "509", "Tacoma|WA": "253", "Portland|OR": "503", "Denver|CO": "303",
        "Colorado Springs|CO": "719", "Kansas City|MO": "816", "St. Louis|MO": "314", "Charlotte|NC": "704", "Raleigh|NC": "919",
        "Greensboro|NC": "336", "Jacksonville|FL": "904", "Orlando|FL": "407", "Tampa|FL": "813", "Miami|FL": "305",
        "Milwaukee|WI": "414", "Madison|WI": "608", "Minneapolis|MN": "612", "Newark|NJ": "973", "Birmingham|AL": "205",
        "Columbia|SC": "803",
    ]

    static let firstNames = [
        "Maria", "James", "Aisha", "Robert", "Mei", "Michael", "Fatima", "David", "Priya", "William", "Sofia", "Joseph",
        "Olivia", "Daniel", "Emma", "Carlos", "Ava", "Luis", "Isabella", "Jose", "Mia", "Juan", "Amelia", "Thomas",
        "Harper", "Charles", "Evelyn", "Christopher", "Abigail", "Matthew", "Emily", "Anthony", "Elizabeth", "Mark", "Camila",
        "Donald", "Ella", "Steven", "Grace", "Paul", "Chloe", "Andrew", "Victoria", "Joshua", "Riley", "Kenneth", "Aria",
        "Kevin", "Lily", "Brian", "Zoe", "George", "Nora", "Timothy", "Hannah", "Ronald", "Layla", "Jason", "Leah",
        "Edward", "Aaliyah", "Jeffrey", "Gabriela", "Ryan", "Ana", "Jacob", "Lucia", "Gary", "Rosa", "Nicholas", "Carmen",
        "Eric", "Yesenia", "Jonathan", "Guadalupe", "Stephen", "Keisha", "Larry", "Tanisha", "Justin", "Latoya", "Scott",
        "Shanice", "Brandon", "Ebony", "Benjamin", "Imani", "Samuel", "Jasmine", "Gregory", "Nia", "Alexander", "Hana",
        "Patrick", "Yuki", "Frank", "Linh", "Raymond", "Thao", "Jack", "Anh", "Dennis", "Ngoc", "Jerry", "Sun", "Tyler",
        "Jin", "Aaron", "Ji-woo", "Jose Luis", "Min", "Adam", "Wei", "Nathan", "Xin", "Henry", "Lan", "Zachary", "Deepa",
        "Douglas", "Anjali", "Peter", "Kavya", "Kyle", "Sana", "Noah", "Zainab", "Ethan", "Amara", "Jeremy", "Chiamaka",
        "Walter", "Ngozi", "Christian", "Adaeze", "Keith", "Oksana", "Roger", "Olena", "Terry", "Irina", "Austin", "Natalia",
        "Sean", "Katarzyna", "Gerald", "Agnieszka", "Carl", "Bridget", "Harold", "Siobhan", "Dylan", "Maeve", "Arthur",
        "Ingrid", "Lawrence", "Astrid", "Jordan", "Freya", "Jesse", "Dolores", "Bryan", "Marisol", "Billy", "Pilar",
        "Bruce", "Beatriz", "Gabriel", "Fernanda", "Joe", "Valentina", "Logan", "Ximena", "Alan", "Renata", "Juan Carlos",
        "Paola", "Wayne", "Daniela", "Elijah", "Tamika", "Randy", "Shanelle", "Vincent", "Marisa", "Russell", "Deborah",
        "Louis", "Tiffany", "Philip", "Crystal", "Bobby", "Kimberly", "Johnny", "Heather", "Darnell", "Monique",
    ]

    static let lastNames = [
        "Lopez", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
        "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
        "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
        "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
        "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
        "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward",
        "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
        "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
        "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher",
        "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin",
        "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
        "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods",
        "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns",
        "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason",
        "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone",
        "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols",
        "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kowalski", "Novak", "O'Brien",
        "Okafor", "Adeyemi", "Nakamura", "Tanaka", "Park", "Choi", "Singh", "Shah", "Khan", "Ali", "Ivanova", "Kovalenko",
    ]
}
