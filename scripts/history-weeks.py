# For BENCHMARKS.md's history size:
#   python3 scripts/history-weeks.py SRC DST [maintained]
# With `maintained`, every line's "last updated" cell (column Q, a date
# cell) is also set within the week before that week's as_of.
# Makes 4 weekly copies of a demo-data set (SRC, e.g. the 1M set): week k moves the due date (column M,
# numeric date cells) of the orders whose hash % 100 < k-1 by 7 days — 1 % of
# the orders more each week. Shipments and feedback are linked unchanged.
import zipfile, re, zlib, os, sys
src, dst = sys.argv[1], sys.argv[2]
maintained = len(sys.argv) > 3 and sys.argv[3] == 'maintained'
q_re=re.compile(rb'(<c r="Q\d+" s="3"><v>)(\d+)(</v></c>)')
row_re=re.compile(rb'(<row r="\d+"><c r="A\d+" t="inlineStr"><is><t>)([^<]*)(</t></is></c>)(.*?</row>)', re.S)
m_re=re.compile(rb'(<c r="M\d+" s="3"><v>)(\d+)(</v></c>)')
def mutate(xml, k):
    def row(m):
        h=zlib.crc32(m.group(2))%100
        rest=m.group(4)
        if h < k-1:
            rest=m_re.sub(lambda c: c.group(1)+str(int(c.group(2))+7).encode()+c.group(3), rest)
        if maintained:
            # 46353 is 2026-11-27, week 1's as_of, as an Excel date.
            touched=46353+7*(k-1)-(zlib.crc32(m.group(2)+b'q')%7)
            rest=q_re.sub(lambda c: c.group(1)+str(max(int(c.group(2)),touched)).encode()+c.group(3), rest)
        return m.group(1)+m.group(2)+m.group(3)+rest
    return row_re.sub(row, xml)
for k in range(1,5):
    d=f'{dst}/wk{k}'; os.makedirs(d, exist_ok=True)
    for f in ['shipments.xlsx','shipments-2.xlsx','feedback.xlsx']:
        p=f'{d}/{f}'
        if not os.path.exists(p): os.symlink(f'{src}/{f}', p)
    for f in ['orders.xlsx','orders-2.xlsx']:
        zi=zipfile.ZipFile(f'{src}/{f}')
        with zipfile.ZipFile(f'{d}/{f}','w',zipfile.ZIP_DEFLATED, compresslevel=1) as zo:
            for info in zi.infolist():
                data=zi.read(info.filename)
                if info.filename=='xl/worksheets/sheet1.xml' and k>1:
                    data=mutate(data,k)
                zo.writestr(info.filename, data)
        print(k,f,flush=True)
