--- tactful for Neovim: starts `tactful lsp` for mail, markdown, text and gitcommit
--- buffers with Neovim's built-in LSP client.
---
--- Requires Neovim 0.10 or newer (`vim.lsp.start`, `vim.fs.root`, `vim.system`).
---
---   require("tactful").setup({
---     settings = { minSeverity = "info", rules = { ["pressure.asap"] = "off" } },
---   })
---
--- `settings` is the server's "tactful" configuration section, passed through as
--- written: it is sent as `initializationOptions` and answers the server's
--- `workspace/configuration` requests for the section "tactful".
local M = {}

M.MIN_NVIM = "0.10"

--- Files that mark the root of a tactful workspace.
M.ROOT_MARKERS = { ".tactful.toml" }

local defaults = {
  -- The tactful binary; `cmd` wins when both are given.
  path = "tactful",
  -- Full command line of the server, e.g. { "/opt/tactful/bin/tactful", "lsp" }.
  cmd = nil,
  -- Extra environment for the server process.
  cmd_env = nil,
  -- Filetypes that start the server. Mutt, neomutt and aerc compose buffers are "mail".
  filetypes = { "mail", "markdown", "text", "gitcommit" },
  -- The server's "tactful" settings section: packs, rules, minSeverity, debounceMs, languages.
  settings = {},
  -- Passed through to vim.lsp.start.
  on_attach = nil,
  capabilities = nil,
  -- Start the server from a FileType autocommand; false: call require("tactful").start() yourself.
  autostart = true,
}

--- The configuration in force after setup() (nil before).
M.config = nil

local function nvim_ok()
  return vim.fn.has("nvim-" .. M.MIN_NVIM) == 1
end

--- The command line that starts the server.
---@param config table
---@return string[]
function M.cmd(config)
  config = config or M.config or defaults
  if config.cmd then
    return config.cmd
  end
  return { config.path or "tactful", "lsp" }
end

--- The workspace root for a buffer: the folder of the nearest `.tactful.toml` above
--- the file, else the file's own folder (else the current directory, for a buffer
--- without a name).
---@param bufnr integer
---@return string
function M.root_dir(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = vim.fs.root(bufnr, M.ROOT_MARKERS)
  if root then
    return root
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name ~= "" then
    return vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(name, ":p")))
  end
  return vim.fn.getcwd()
end

--- The client configuration given to vim.lsp.start for a buffer.
---@param bufnr integer
---@param config table|nil
---@return table
function M.client_config(bufnr, config)
  config = config or M.config or defaults
  local settings = config.settings or {}
  return {
    name = "tactful",
    cmd = M.cmd(config),
    cmd_env = config.cmd_env,
    root_dir = M.root_dir(bufnr),
    init_options = settings,
    settings = { tactful = settings },
    capabilities = config.capabilities,
    on_attach = config.on_attach,
  }
end

--- Start (or attach to an already running) tactful client for a buffer.
---@param bufnr integer|nil
---@return integer|nil client_id
function M.start(bufnr)
  if not nvim_ok() then
    vim.notify("tactful needs Neovim " .. M.MIN_NVIM .. " or newer", vim.log.levels.ERROR)
    return nil
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  -- Only real files and scratch compose buffers; not help, terminal or prompt buffers.
  if vim.bo[bufnr].buftype ~= "" and vim.bo[bufnr].buftype ~= "acwrite" then
    return nil
  end
  local config = M.config or defaults
  local exe = M.cmd(config)[1]
  if vim.fn.executable(exe) ~= 1 then
    if not M._warned then
      M._warned = true
      vim.notify(
        ("tactful: %q is not executable; set `path` in require('tactful').setup() (see :checkhealth tactful)"):format(exe),
        vim.log.levels.WARN
      )
    end
    return nil
  end
  return vim.lsp.start(M.client_config(bufnr, config), { bufnr = bufnr })
end

--- Stop every tactful client.
function M.stop()
  for _, client in ipairs(vim.lsp.get_clients({ name = "tactful" })) do
    client:stop()
  end
end

--- Configure the plugin and start the server for matching buffers.
---@param opts table|nil see `defaults` above
function M.setup(opts)
  if not nvim_ok() then
    vim.notify("tactful needs Neovim " .. M.MIN_NVIM .. " or newer (vim.lsp.start)", vim.log.levels.ERROR)
    return
  end
  opts = opts or {}
  for key, want in pairs({ path = "string", cmd = "table", filetypes = "table", settings = "table", on_attach = "function" }) do
    if opts[key] ~= nil and type(opts[key]) ~= want then
      error(("tactful.setup: `%s` must be a %s, got %s"):format(key, want, type(opts[key])), 2)
    end
  end
  for key in pairs(opts) do
    if defaults[key] == nil and key ~= "cmd" and key ~= "cmd_env" and key ~= "on_attach" and key ~= "capabilities" then
      vim.notify(("tactful.setup: unknown option `%s`"):format(key), vim.log.levels.WARN)
    end
  end
  -- Shallow on purpose: a list given by the user replaces the default list.
  M.config = vim.tbl_extend("force", defaults, opts)

  local group = vim.api.nvim_create_augroup("tactful", { clear = true })
  if M.config.autostart then
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = M.config.filetypes,
      callback = function(ev)
        M.start(ev.buf)
      end,
      desc = "Start the tactful language server",
    })
    -- Buffers opened before setup() ran (e.g. the file given on the command line).
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.start(buf)
      end
    end
  end
end

return M
