# Regenerates README's address table in enum order; keeps the README's wording of rows that exist.
import re,sys
root=sys.argv[1] if len(sys.argv)>1 else '.'
src=open(root+'/src/main/java/dev/trcr/kernel/Address.java').read()
body=src[src.index('public enum Address {'):src.index('/** What an address is for. */')]
entries=[]
for m in re.finditer(r'\n  [A-Z_]+\("([^"]+)", Kind\.(\w+), "(\w+)", Browser\.(\w+),\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+),', body):
    desc=''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(5)))
    entries.append((m.group(1),m.group(2).lower(),m.group(3),m.group(4).lower(),desc))
readme=open(root+'/README.md').read()
lines=readme.split('\n')
rows={}
start=lines.index('## Address catalogue')
first=next(i for i in range(start,len(lines)) if re.match(r'^\| `[^`]+` \|',lines[i]))
idx=[]
i=first
while re.match(r'^\| `[^`]+` \|',lines[i]):
    idx.append(i); i+=1
for i in idx:
    rows[re.match(r'^\| `([^`]+)`',lines[i]).group(1)]=lines[i]
new=[rows.get(t, f'| `{t}` | {k} | {o} | {b} | {d} |') for t,k,o,b,d in entries]
out=lines[:idx[0]]+new+lines[idx[-1]+1:]
open(root+'/README.md','w').write('\n'.join(out))
print(len(entries),'entries;',len([t for t,*_ in entries if t not in rows]),'new')
