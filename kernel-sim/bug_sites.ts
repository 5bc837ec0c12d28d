// Where each modelled check sits in Linux v4.5.0 (file:line, what "kernel BUG
// at" and "WARNING: at" print), read from a verbatim 4.5.0 tree
// (github.com/arthur-lucena/linux-4.5-hw-so, commit f21e75bf). A WARN() or
// VM_BUG_ON_PAGE() that spans lines reports its last line with the GCC of 2016
// (as 4.7-era reports of lib/list_debug.c:62 show); these are those lines.
export const BUG_AT = {
  split_pmd_page_count: 'mm/huge_memory.c:2859',     // __split_huge_pmd_locked: VM_BUG_ON_PAGE(!page_count(page), page)
  split_pmd_pte_none: 'mm/huge_memory.c:2891',       // __split_huge_pmd_locked: BUG_ON(!pte_none(*pte))
  split_tail_count: 'mm/huge_memory.c:3230',         // __split_huge_page_tail: VM_BUG_ON_PAGE(atomic_read(&page_tail->_count) != 0, page_tail)
  split_compound_mapcount: 'mm/huge_memory.c:3401',  // split_huge_page_to_list: VM_BUG_ON_PAGE(compound_mapcount(head), head)
  split_total_mapcount: 'mm/huge_memory.c:3426',     // split_huge_page_to_list: pr_alert("total_mapcount: ..."); BUG()
  get_page: 'include/linux/mm.h:696',                // get_page: VM_BUG_ON_PAGE(atomic_read(&page->_count) <= 0, page)
  put_page_testzero: 'include/linux/mm.h:367',       // put_page_testzero: VM_BUG_ON_PAGE(atomic_read(&page->_count) == 0, page)
  list_add_next_prev: 'lib/list_debug.c:29',         // __list_add: WARN(next->prev != prev, ...)
  list_add_prev_next: 'lib/list_debug.c:33',         // __list_add: WARN(prev->next != next, ...)
  list_add_double: 'lib/list_debug.c:36',            // __list_add: WARN(new == prev || new == next, ...)
  list_del_poison1: 'lib/list_debug.c:53',           // __list_del_entry: WARN(next == LIST_POISON1, ...)
  list_del_poison2: 'lib/list_debug.c:56',           // __list_del_entry: WARN(prev == LIST_POISON2, ...)
  list_del_prev_next: 'lib/list_debug.c:59',         // __list_del_entry: WARN(prev->next != entry, ...)
  list_del_next_prev: 'lib/list_debug.c:62',         // __list_del_entry: WARN(next->prev != entry, ...)
  bad_page: 'mm/page_alloc.c:429',                   // bad_page: "BUG: Bad page state in process %s  pfn:%05lx"
  print_bad_pte: 'mm/memory.c:677',                  // print_bad_pte: "BUG: Bad page map in process %s  pte:%08llx pmd:%08llx"
} as const;
