-- Headless Neovim side of tests/nvim_e2e.rs. Run as
--   nvim --headless --clean --cmd "set rtp^=editors/nvim" -c "luafile tests/nvim/e2e.lua"
-- Environment:
--   TACTFUL_BIN       the tactful binary
--   TACTFUL_DRAFT     the draft to open
--   TACTFUL_OUT       where to write the JSON result
--   TACTFUL_MODE      "setup" (require("tactful").setup) or "enable" (lsp/tactful.lua, 0.11+)
--   TACTFUL_SETTINGS  JSON of the "tactful" settings section to pass
--   TACTFUL_TARGET    rule id of the finding whose preferred fix is applied
-- The Rust side makes every assertion; this script only drives Neovim and reports
-- what Neovim saw. It never exits 0 without having written its result.
local result = { steps = {} }
local function step(fmt, ...)
  table.insert(result.steps, string.format("%.3f " .. fmt, vim.uv.hrtime() / 1e9, ...))
end

local function env(name)
  local v = os.getenv(name)
  assert(v and v ~= "", name .. " is not set")
  return v
end

local function wait(what, ms, cond)
  if not vim.wait(ms, cond, 20) then
    error("timed out after " .. ms .. " ms waiting for " .. what, 2)
  end
end

local function diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local raw = d.user_data and d.user_data.lsp or {}
    table.insert(out, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      source = d.source,
      code = d.code or raw.code,
      message = d.message,
      lsp_range = raw.range,
    })
  end
  table.sort(out, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return a.col < b.col
  end)
  return out
end

local function main()
  local bin = env("TACTFUL_BIN")
  local draft = env("TACTFUL_DRAFT")
  local mode = env("TACTFUL_MODE")
  local settings = vim.json.decode(env("TACTFUL_SETTINGS"))
  local target_rule = env("TACTFUL_TARGET")
  result.nvim = tostring(vim.version())
  vim.lsp.set_log_level("debug")

  if mode == "setup" then
    require("tactful").setup({ cmd = { bin, "lsp" }, settings = settings })
  elseif mode == "enable" then
    vim.lsp.config("tactful", { cmd = { bin, "lsp" }, settings = { tactful = settings } })
    vim.lsp.enable("tactful")
  else
    error("unknown TACTFUL_MODE " .. mode)
  end
  step("configured (%s)", mode)

  vim.cmd.edit(vim.fn.fnameescape(draft))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  step("opened %s, filetype %s", draft, result.filetype)

  wait("the tactful client to attach", 30000, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = "tactful" }) > 0
  end)
  local client = vim.lsp.get_clients({ bufnr = buf, name = "tactful" })[1]
  result.client = {
    root_dir = client.root_dir,
    offset_encoding = client.offset_encoding,
    workspace_folders = client.workspace_folders,
    server_name = client.server_info and client.server_info.name,
  }
  step("client %d attached, root %s", client.id, tostring(client.root_dir))

  -- Diagnostics arrive after the server's debounce; wait until they stop changing.
  wait("tactful diagnostics", 90000, function()
    return #vim.diagnostic.get(buf) > 0
  end)
  local last, stable_since = vim.json.encode(diagnostics(buf)), vim.uv.now()
  wait("diagnostics to settle", 10000, function()
    local now = vim.json.encode(diagnostics(buf))
    if now ~= last then
      last, stable_since = now, vim.uv.now()
    end
    return vim.uv.now() - stable_since >= 700
  end)
  result.before = diagnostics(buf)
  step("%d diagnostics", #result.before)

  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == target_rule then
      target = d
      break
    end
  end
  assert(target, "no diagnostic with code " .. target_rule)
  local raw = target.user_data.lsp

  -- What the server offers for that diagnostic (recorded for the assertions).
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = raw.range,
    context = { diagnostics = { raw }, triggerKind = 1 },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000) or {}
  result.actions = {}
  for _, resp in pairs(responses) do
    assert(not resp.error, "codeAction error: " .. vim.inspect(resp.error))
    for _, a in ipairs(resp.result or {}) do
      table.insert(result.actions, {
        title = a.title,
        kind = a.kind,
        isPreferred = a.isPreferred or false,
        edit = a.edit,
        command = a.command,
      })
    end
  end
  step("%d code actions", #result.actions)

  -- Apply the preferred fix through Neovim's own LSP client.
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  vim.lsp.buf.code_action({
    context = { diagnostics = { raw }, only = { "quickfix" } },
    filter = function(action)
      return action.isPreferred == true
    end,
    apply = true,
    range = { start = { target.lnum + 1, target.col }, ["end"] = { target.end_lnum + 1, target.end_col } },
  })
  wait("the preferred code action to change the buffer", 30000, function()
    return vim.api.nvim_buf_get_changedtick(buf) ~= tick
  end)
  step("code action applied")
  vim.cmd.write()
  step("written")

  -- The server re-checks the new version: the fixed finding goes away.
  wait("the fixed finding to disappear", 90000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == target_rule and d.lnum == target.lnum and d.col == target.col then
        return false
      end
    end
    return true
  end)
  result.after = diagnostics(buf)
  step("%d diagnostics after the fix", #result.after)

  vim.cmd("checkhealth tactful")
  result.health = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  step("checkhealth done")
end

local ok, err = xpcall(main, debug.traceback)
result.ok = ok
result.error = (not ok) and tostring(err) or nil
local f = assert(io.open(env("TACTFUL_OUT"), "w"))
f:write(vim.json.encode(result))
f:close()
vim.cmd(ok and "qall!" or "cquit 3")
