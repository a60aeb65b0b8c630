-- wrk script for Scripts/bench/fill (benchmark tooling): POSTs the JSON bodies of the file named by
-- $FILL_BODIES (one per line) round-robin, each connection starting at its own offset, to the URL's path.
local bodies = {}
for line in io.lines(os.getenv("FILL_BODIES")) do
    if line:match("%S") then bodies[#bodies + 1] = line end
end
local next_index = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
    next_index = math.random(#bodies) - 1
end

function request()
    next_index = next_index % #bodies + 1
    return wrk.format("POST", nil, headers, bodies[next_index])
end
