-- This file is part of wxsidecar.
-- SPDX-License-Identifier: Apache-2.0
--
-- The peer's token cache: each nginx worker reads the token file at start and every few seconds after, and
-- keeps the last good token in memory (an unreadable or empty file keeps the previous one).
local M = { token = nil }

local function load(path)
    local file = io.open(path, "rb")
    if not file then return end
    local text = file:read("*a")
    file:close()
    if text and #text > 0 then M.token = text end
end

function M.start(path, interval)
    load(path)
    ngx.timer.every(interval, function(premature)
        if not premature then load(path) end
    end)
end

return M
