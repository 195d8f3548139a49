-- anomed.cache: a least-recently-used cache of at most size entries, per worker.
return function(size)
  local entries, order = {}, {}
  local cache = {}

  local function touch(key)
    for i, k in ipairs(order) do
      if k == key then table.remove(order, i) break end
    end
    order[#order + 1] = key
  end

  function cache.get(key)
    local value = entries[key]
    if value ~= nil then touch(key) end
    return value
  end

  function cache.put(key, value)
    if size <= 0 then return end
    if entries[key] == nil and #order >= size then entries[table.remove(order, 1)] = nil end
    entries[key] = value
    touch(key)
  end

  return cache
end
